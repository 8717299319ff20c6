//! linkpool-chain (placeholder, being written).
