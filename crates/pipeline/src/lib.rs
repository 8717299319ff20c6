//! linkpool-pipeline (placeholder, being written).
