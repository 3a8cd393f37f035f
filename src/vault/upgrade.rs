//! `escrow vault upgrade`.
