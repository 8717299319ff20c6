//! linkpool-devnet (placeholder, being written).
