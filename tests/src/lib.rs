//! Workspace-level integration tests of Andamios; the tests live in `tests/`.
//!
//! This crate enables every optional type feature of `andamios`, so its
//! tests cover the chrono, time, uuid, rust_decimal and serde_json mappings.
