//! What a node returns when it fails: a status code from `status.h` and a message.

use crate::abi::*;
use core::fmt;

/// A failed node execution. The code decides how the host treats it: `transient` is retried
/// under the node's retry policy, `invalid_parameters` never is. The message reaches the user
/// as the error's text, so say what was wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: PhStatus,
    pub message: String,
}

impl Error {
    /// An error with any code of `status.h`; codes outside 1..=7 are reported as
    /// `EXECUTION_ERROR` by the host.
    pub fn new(code: PhStatus, message: impl Into<String>) -> Self {
        Error { code, message: message.into() }
    }
    /// `PH_ERR_INVALID_PARAMETERS`: the caller must change the parameters; never retried.
    pub fn invalid_parameters(message: impl Into<String>) -> Self {
        Self::new(PH_ERR_INVALID_PARAMETERS, message)
    }
    /// `PH_ERR_EXECUTION`: the node failed.
    pub fn execution(message: impl Into<String>) -> Self {
        Self::new(PH_ERR_EXECUTION, message)
    }
    /// `PH_ERR_TRANSIENT`: worth retrying (a network hiccup, a busy resource).
    pub fn transient(message: impl Into<String>) -> Self {
        Self::new(PH_ERR_TRANSIENT, message)
    }
    /// `PH_ERR_UNSUPPORTED`: this plugin cannot do what was asked.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(PH_ERR_UNSUPPORTED, message)
    }
    /// `PH_ERR_CANCELLED`: return it once [`Call::is_cancelled`](crate::Call::is_cancelled) says so.
    pub fn cancelled() -> Self {
        Self::new(PH_ERR_CANCELLED, "cancelled")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (status {})", self.message, self.code)
    }
}

impl std::error::Error for Error {}

impl From<crate::json::ParseError> for Error {
    fn from(error: crate::json::ParseError) -> Self {
        Error::invalid_parameters(error.to_string())
    }
}
