//! (Filled by its issue; declared here so the module tree is stable.)
