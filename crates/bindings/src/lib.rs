//! linkpool-bindings (placeholder, being written).
