//! Errors that carry a way out. Each error type of the crate says what went wrong (Display)
//! and, where there is one, what the user can do (`Hint`); `with_hint` renders both on one
//! line for reports and annotations, and the CLI prints them as `error:` and `hint:` lines.

/// An error with an optional hint.
pub trait Hint: std::fmt::Display {
    /// What the user can do about it, when there is something to say.
    fn hint(&self) -> Option<&str> {
        None
    }
}

/// `message (hint: ...)`, the one-line form used in apply reports and GitHub annotations.
pub fn with_hint(e: &dyn Hint) -> String {
    match e.hint() {
        Some(h) => format!("{e} (hint: {h})"),
        None => e.to_string(),
    }
}
