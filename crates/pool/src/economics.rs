//! The paper's economics model (§4–5). To be written.
