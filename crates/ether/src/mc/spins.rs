//! (Being written for issue 2.)
