//! escrow: source-code escrow and delivery verification for hospital software contracts.
//!
//! A delivery flows through one pipeline (`pipeline`): ingest (a staged tree and its inventory,
//! scanned as it is hashed), the requirement checks, the isolated build, the comparison with the
//! previous snapshot, one policy step (`policy`: `[severity]` and `[[allow]]`, applied once,
//! last, to the findings of every stage), and a report. `check`, `build` and `deposit` configure
//! that pipeline; a deposit also stores the delivery in the vault. Every stage is a library
//! function; the binary in `src/main.rs` and `src/cli/` only parses arguments and prints.
//!
//! # Layers
//!
//! Each module imports only from the layers below it, never from its own layer or a higher one
//! (the test `tests/it/layers.rs` reads every source file and fails naming the import that
//! breaks this; keep its table, this picture and DESIGN.md the same):
//!
//! ```text
//! cli          the binary: arguments, printing, environment variables, Ctrl-C, exit codes
//! pipeline     the stages wired for check / build / deposit
//! draft        a manifest drafted from a delivery (`escrow manifest init`)
//! policy       [severity] and [[allow]], applied once, last, to the findings of every stage
//! report       the typed documents of every command (wire types) and their renderers
//! manifest     loads the contract manifest; each section is validated by its owner below
//! codes        the registry of every producer's finding codes (and the audit's)
//! checks  scan  build  obligations
//!              the stages, each owning its config section and its codes (checks::compare is
//!              the comparison with the previous snapshot); obligations are deadlines computed
//!              from the vault's ledger events
//! vault        packs, snapshots, ledger, audit, restore: bytes and records, no checks, no reports
//! delivery     ingest (folder, archive, git) through directory handles, and the inventory
//! doctext      the text of companion documents (Office, PDF, HTML, RTF, text), read bounded
//!              and in a child process
//! calendar  finding  hash  filetypes  text  progress  validate
//!              leaves: working days, the finding type, digests, magic bytes, text for people,
//!              progress reporting, the context a config section is validated in
//! ```

pub mod build;
pub mod calendar;
pub mod checks;
pub mod codes;
pub mod delivery;
pub mod doctext;
pub mod draft;
pub mod filetypes;
pub mod finding;
pub mod hash;
pub mod manifest;
pub mod obligations;
pub mod pipeline;
pub mod policy;
pub mod progress;
pub mod report;
pub mod scan;
pub mod text;
pub mod validate;
pub mod vault;

pub use pipeline::{CheckError, DepositArgs, Deposited, check, deposit};
