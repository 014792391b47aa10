//! The checked query macros: `query!`, `query_as!`, `query_scalar!`, their
//! `_file` and `_unchecked` forms.

pub(crate) mod expand;
pub(crate) mod input;
mod overrides;
mod source;
mod types;
