//! [`Inserted`]: the outcome of an idempotent insert.

/// Result of an idempotent insert: the row that now holds the key, and whether this call created it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inserted<T> {
    /// This call inserted the row.
    New(T),
    /// A row with the same idempotency key already existed; it is returned unchanged.
    Existing(T),
}

impl<T> Inserted<T> {
    /// Whether this call created the row.
    pub fn is_new(&self) -> bool {
        matches!(self, Self::New(_))
    }

    /// The row, new or existing.
    pub fn get(&self) -> &T {
        match self {
            Self::New(v) | Self::Existing(v) => v,
        }
    }

    /// The row, new or existing.
    pub fn into_inner(self) -> T {
        match self {
            Self::New(v) | Self::Existing(v) => v,
        }
    }
}
