use http::StatusCode;
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// The one error type of every server function. Its messages are written for the person at the
/// browser: they never carry SQL, stack traces or which part of a sign-in was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Your session has ended. Sign in again.")]
    Unauthorized,
    #[error("The tenant, username or password is not correct.")]
    SignInFailed,
    #[error("Too many failed sign-in attempts. Wait a minute and try again.")]
    TooManyAttempts,
    #[error("Too many sign-ins at once. Try again in a moment.")]
    SignInBusy,
    #[error("You do not have the permission this needs: {missing}.")]
    Forbidden { missing: String },
    #[error("Not found.")]
    NotFound,
    #[error("{message}")]
    Validation { field: String, message: String },
    #[error("This was changed by someone else. Reload to see the latest version.")]
    Conflict,
    #[error("{reason}")]
    Locked { reason: String },
    #[error("The server is busy with other changes right now. Try again in a moment.")]
    Busy,
    #[error("Something went wrong on the server. Try again; if it keeps happening, tell your administrator.")]
    Internal,
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A failed sign-in as a word in the sign-in page's address (`/login?error=…`): where a
    /// browser posted the form itself, before the page's code arrived, the server sends it back
    /// there and the page shows the same message (`from_sign_in_code`). Never the message itself
    /// in the address: nobody can make the page say what they like.
    pub fn sign_in_code(&self) -> &'static str {
        match self {
            Self::SignInFailed => "failed",
            Self::TooManyAttempts => "attempts",
            Self::SignInBusy => "busy",
            Self::Busy => "server-busy",
            _ => "error",
        }
    }

    /// The failure a sign-in code stands for (`sign_in_code`); an unknown word is `Internal`.
    pub fn from_sign_in_code(code: &str) -> Self {
        match code {
            "failed" => Self::SignInFailed,
            "attempts" => Self::TooManyAttempts,
            "busy" => Self::SignInBusy,
            "server-busy" => Self::Busy,
            _ => Self::Internal,
        }
    }

    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub fn forbidden(missing: impl Into<String>) -> Self {
        Self::Forbidden {
            missing: missing.into(),
        }
    }

    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized | Self::SignInFailed => StatusCode::UNAUTHORIZED,
            Self::TooManyAttempts | Self::SignInBusy => StatusCode::TOO_MANY_REQUESTS,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Locked { .. } => StatusCode::LOCKED,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Transport(_) => StatusCode::BAD_GATEWAY,
        }
    }

    /// The message for one form field, if this error is about that field.
    pub fn for_field(&self, name: &str) -> Option<&str> {
        match self {
            Self::Validation { field, message } if field == name => Some(message),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    /// A database too busy to answer (a write lock not granted in time, a serialization failure,
    /// no free connection) is a "try again", never an internal error.
    fn from(error: sqlx::Error) -> Self {
        let busy = match &error {
            sqlx::Error::PoolTimedOut => true,
            sqlx::Error::Database(e) => e.code().is_some_and(|code| {
                // SQLite: BUSY, LOCKED and their extended codes; PostgreSQL: serialization
                // failure, deadlock, lock not available.
                matches!(
                    code.as_ref(),
                    "5" | "6" | "261" | "517" | "262" | "40001" | "40P01" | "55P03"
                )
            }),
            _ => false,
        };
        if busy {
            tracing::warn!(%error, "database busy");
            Self::Busy
        } else {
            tracing::error!(%error, "database error");
            Self::Internal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_failure_does_not_say_which_part_was_wrong() {
        let text = AppError::SignInFailed.to_string();
        assert!(text.contains("tenant, username or password"));
        assert_eq!(
            AppError::SignInFailed.status_code(),
            StatusCode::UNAUTHORIZED
        );
    }

    #[test]
    fn validation_error_belongs_to_its_field_only() {
        let error = AppError::validation("name", "Name is required.");
        assert_eq!(error.for_field("name"), Some("Name is required."));
        assert_eq!(error.for_field("description"), None);
        assert_eq!(error.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}
