//! A self-contained, versioned, checksummed byte format for the state of a chain.
//!
//! Layout: the magic `ETHERMC1\n`, the header length (u64, little endian), the header (JSON: what
//! a resume must match: format, version, lattice, action, seed, start, sweep plan), the payload
//! length (u64), the payload, and a 64-bit FNV-1a checksum of everything before it. [`decode`]
//! refuses a file that is truncated or corrupted (checksum), written by another format version,
//! or whose header differs from the one the resuming run expects, naming the first difference.

//!
//! [`crate::experiment::Checkpoints`] stores the same header and payload as named files in a run's
//! checkpoint directory ([`crate::mc::engine::GaugeChain::save`]); this byte string is for callers
//! that keep the state elsewhere (memory, their own files, messages between processes).

use crate::error::{Error, Result};
use crate::experiment::{first_difference, frame, unframe};
use serde_json::Value;

const MAGIC: &[u8; 9] = b"ETHERMC1\n";

/// Header and payload in one checksummed byte string.
pub fn encode(header: &Value, payload: &[u8]) -> Vec<u8> {
    frame(MAGIC, &serde_json::to_vec(header).expect("JSON values always encode"), payload)
}

fn damaged(why: &str) -> Error {
    Error::invalid(
        "checkpoint",
        "the saved chain",
        format!("it is damaged ({why}) and was not loaded; delete it and start the run again"),
    )
}

/// The header and payload of `bytes`, after checking the checksum and that the header equals
/// `expected` (else an error naming the first key that differs).
pub fn decode(bytes: &[u8], expected: &Value) -> Result<(Value, Vec<u8>)> {
    let (header, payload) = unframe(MAGIC, bytes).map_err(damaged)?;
    check_header(&header, expected)?;
    Ok((header, payload.to_vec()))
}

/// Refuse a stored header that differs from the expected one, naming the first difference (the
/// keys `format`, `version` and `lattice` are compared first, then the others alphabetically).
pub fn check_header(found: &Value, expected: &Value) -> Result<()> {
    let first = ["format", "version", "lattice"].iter().find_map(|k| match (expected.get(k), found.get(k)) {
        (Some(a), Some(b)) => first_difference(a, b, k),
        (Some(a), None) => Some(format!("{k}: {a} here, absent in the checkpoint")),
        _ => None,
    });
    if let Some(diff) = first.or_else(|| first_difference(expected, found, "")) {
        return Err(Error::invalid(
            "checkpoint",
            "the saved chain",
            format!(
                "it belongs to another run ({diff}); resume with the settings it was written with, or start afresh"
            ),
        ));
    }
    Ok(())
}

/// A little-endian reader over a payload that fails with a clear error when it runs out.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// Read `bytes` from the start.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }
    /// The next u64.
    pub fn u64(&mut self) -> Result<u64> {
        let b = self.bytes.get(self.at..self.at + 8).ok_or_else(|| damaged("payload too short"))?;
        self.at += 8;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
    /// The next f64 (bit pattern preserved).
    pub fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_bits(self.u64()?))
    }
    /// Fail unless every byte was read.
    pub fn finish(&self) -> Result<()> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(damaged("payload longer than its header says"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_and_every_kind_of_damage_is_refused() {
        let h = json!({"format": "x", "version": 1, "lattice": "4x4", "seed": 3});
        let payload: Vec<u8> = (0..100u8).collect();
        let bytes = encode(&h, &payload);
        let (hh, p) = decode(&bytes, &h).unwrap();
        assert_eq!((hh, p), (h.clone(), payload));
        // truncation anywhere, a flipped bit anywhere
        for cut in [0, 5, 20, bytes.len() / 2, bytes.len() - 1] {
            let e = decode(&bytes[..cut], &h).unwrap_err().to_string();
            assert!(e.contains("damaged"), "{cut}: {e}");
        }
        for i in (0..bytes.len()).step_by(7) {
            let mut b = bytes.clone();
            b[i] ^= 0x10;
            assert!(decode(&b, &h).unwrap_err().to_string().contains("damaged"), "byte {i}");
        }
        // another run: the first differing key is named
        let e = decode(&bytes, &json!({"format": "x", "version": 1, "lattice": "4x4", "seed": 4})).unwrap_err();
        assert!(e.to_string().contains("seed: 4 here, 3 in the checkpoint"), "{e}");
        let e = decode(&bytes, &json!({"format": "x", "version": 2, "lattice": "4x4", "seed": 3})).unwrap_err();
        assert!(e.to_string().contains("version: 2 here, 1 in the checkpoint"), "{e}");
        let mut r = Reader::new(&[1, 0, 0, 0, 0, 0, 0, 0, 9]);
        assert_eq!(r.u64().unwrap(), 1);
        assert!(r.finish().is_err() && r.u64().is_err());
    }
}
