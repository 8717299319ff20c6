//! Integration tests of `linkpool-pool`.
