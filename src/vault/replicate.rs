//! `escrow vault replicate`.
