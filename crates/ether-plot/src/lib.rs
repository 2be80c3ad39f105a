//! Figures for ether, drawn from saved records only.
//!
//! A [`Figure`] is plain data (it serializes to JSON and is saved in every run directory as
//! `figures/NAME.json`); [`render`] turns it into a PNG and an SVG. The physics crate never
//! depends on this one, and `ether plot RUN_DIR` redraws every figure from saved data alone.
//!
//! What a figure holds: axis titles and ranges, optional labelled x ticks (momentum-path
//! corners), an optional heat map underneath (drawn with a colour bar that carries numbers and the
//! map's label), and layers on top: lines, markers, markers with error bars
//! ([`Layer::ErrorBars`], for every Monte Carlo point), segments, arrows and text. Everything is
//! clipped to the axes' ranges. [`Figure::check`] refuses inconsistent data (lengths that do not
//! match, a heat map whose values do not fill its grid, negative error bars, unknown colours) with
//! a sentence saying what is wrong, so an edited `figures/NAME.json` fails clearly.
//!
//! How it looks: sizes are chosen to stay readable when the 1000 x 700 picture is shown at half a
//! slide's width (tick labels 21 px, axis titles 24 px, title 30 px); long titles and notes wrap
//! instead of running into the axes; the y-axis title is rotated along the axis; every label of an
//! axis is written with the decimals its spacing needs and never as `-0` ([`ticks`]).
//!
//! Text uses an embedded DejaVu Sans font, so nothing (fontconfig, freetype) is needed on the
//! machine.

pub mod chapters;
pub mod run;
pub mod ticks;

pub use chapters::NamedFigure;
pub use run::RunData;
pub use ticks::{nice_ticks, tick_labels};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, FontTransform};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Once;

/// Errors while drawing or saving a figure.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// Drawing failed.
    #[error("drawing {name}: {reason}")]
    Draw {
        /// Figure file.
        name: String,
        /// Why.
        reason: String,
    },
    /// Reading a saved figure failed.
    #[error("reading figure {path}: {reason}")]
    Read {
        /// File.
        path: String,
        /// Why.
        reason: String,
    },
}

/// A labelled tick on the x axis (drawn with a vertical guide line), e.g. a momentum-path corner.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Tick {
    /// Position.
    pub at: f64,
    /// Label.
    pub label: String,
}

/// A colour map over a regular grid of cell centres, drawn with a colour bar on the right.
///
/// In memory `z` is flat, row-major with y slowest: `z[iy * x.len() + ix]`. In JSON it is written
/// as one list per y value (`z[iy][ix]`, so `numpy.array(z)` has shape `(len(y), len(x))`), with
/// `"shape": [len(y), len(x)]` and `"order"` saying so; reading accepts that form or a flat list
/// of `len(y) * len(x)` values. `null` is a missing value (drawn grey).
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    /// Cell centres along x (ascending).
    pub x: Vec<f64>,
    /// Cell centres along y (ascending).
    pub y: Vec<f64>,
    /// Values, row-major with y slowest: `z[iy * x.len() + ix]`.
    pub z: Vec<f64>,
    /// Colour by log10(z), over [`LOG_DECADES`] decades below the top of the scale (smaller
    /// values, zero and negative ones take the bottom colour).
    pub log_scale: bool,
    /// What the colour means (with its unit): the colour bar's title.
    pub label: String,
}

/// The `order` note written beside a heat map's `z` in JSON.
pub const HEATMAP_ORDER: &str = "z[iy][ix]: one list per y value (rows follow y, columns follow x)";

#[derive(Serialize)]
struct HeatmapOut<'a> {
    x: &'a [f64],
    y: &'a [f64],
    shape: [usize; 2],
    order: &'static str,
    z: Vec<&'a [f64]>,
    log_scale: bool,
    label: &'a str,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ZIn {
    Rows(Vec<Vec<Option<f64>>>),
    Flat(Vec<Option<f64>>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeatmapIn {
    #[serde(deserialize_with = "f64s")]
    x: Vec<f64>,
    #[serde(deserialize_with = "f64s")]
    y: Vec<f64>,
    #[serde(default)]
    shape: Option<[usize; 2]>,
    #[serde(default)]
    #[allow(dead_code)] // read for completeness: the layout is fixed
    order: Option<String>,
    z: ZIn,
    #[serde(default)]
    log_scale: bool,
    #[serde(default)]
    label: String,
}

impl Serialize for Heatmap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let nx = self.x.len();
        let rows: Vec<&[f64]> = if nx > 0 && self.z.len() == nx * self.y.len() {
            self.z.chunks(nx).collect()
        } else {
            // inconsistent in memory (check() refuses it before drawing): keep every value
            vec![&self.z[..]]
        };
        HeatmapOut {
            x: &self.x,
            y: &self.y,
            shape: [self.y.len(), nx],
            order: HEATMAP_ORDER,
            z: rows,
            log_scale: self.log_scale,
            label: &self.label,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Heatmap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let h = HeatmapIn::deserialize(d)?;
        let (nx, ny) = (h.x.len(), h.y.len());
        if let Some([sy, sx]) = h.shape {
            if (sy, sx) != (ny, nx) {
                return Err(D::Error::custom(format!(
                    "heatmap shape [{sy}, {sx}] does not match len(y) = {ny}, len(x) = {nx}"
                )));
            }
        }
        let z: Vec<f64> = match h.z {
            ZIn::Flat(v) => {
                if v.len() != nx * ny {
                    return Err(D::Error::custom(format!(
                        "heatmap z has {}, expected len(y) x len(x) = {ny} x {nx}",
                        values(v.len())
                    )));
                }
                v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect()
            }
            ZIn::Rows(rows) => {
                if rows.len() != ny || rows.iter().any(|r| r.len() != nx) {
                    return Err(D::Error::custom(format!(
                        "heatmap z must have len(y) = {ny} rows of len(x) = {nx} values ({HEATMAP_ORDER})"
                    )));
                }
                rows.into_iter().flatten().map(|x| x.unwrap_or(f64::NAN)).collect()
            }
        };
        Ok(Heatmap { x: h.x, y: h.y, z, log_scale: h.log_scale, label: h.label })
    }
}

/// The top of every colour scale is this percentile of the values, so that one Bragg peak does not
/// wash out everything else; larger values are clipped (the colour bar then ends in a triangle).
pub const CLIP_PERCENTILE: f64 = 99.5;

/// Decades a logarithmic colour scale spans below its top.
pub const LOG_DECADES: f64 = 3.0;

/// One layer of a figure.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Layer {
    /// A polyline. Non-finite points break the line.
    Line {
        /// Legend entry.
        #[serde(default)]
        label: Option<String>,
        /// x values.
        #[serde(deserialize_with = "f64s")]
        x: Vec<f64>,
        /// y values.
        #[serde(deserialize_with = "f64s")]
        y: Vec<f64>,
        /// Colour: `"C0"`..`"C9"` or `"#rrggbb"`.
        #[serde(default)]
        color: Option<String>,
        /// Dashed line.
        #[serde(default)]
        dashed: bool,
        /// Line width in pixels.
        #[serde(default = "default_width")]
        width: u32,
    },
    /// Markers.
    Points {
        /// Legend entry.
        #[serde(default)]
        label: Option<String>,
        /// x values.
        #[serde(deserialize_with = "f64s")]
        x: Vec<f64>,
        /// y values.
        #[serde(deserialize_with = "f64s")]
        y: Vec<f64>,
        /// Colour.
        #[serde(default)]
        color: Option<String>,
        /// Marker radius in pixels.
        #[serde(default = "default_size")]
        size: u32,
    },
    /// Markers with error bars: a vertical bar from `y - y_err` to `y + y_err` with caps, and a
    /// horizontal one `x ± x_err` when `x_err` is given. A `null` (NaN) error draws no bar; the
    /// marker is still drawn. Errors are one standard error (say so in the axis title or note).
    ErrorBars {
        /// Legend entry.
        #[serde(default)]
        label: Option<String>,
        /// x values.
        #[serde(deserialize_with = "f64s")]
        x: Vec<f64>,
        /// y values.
        #[serde(deserialize_with = "f64s")]
        y: Vec<f64>,
        /// Half-length of each vertical bar (≥ 0), one per point.
        #[serde(deserialize_with = "f64s")]
        y_err: Vec<f64>,
        /// Half-length of each horizontal bar (≥ 0), one per point.
        #[serde(default, deserialize_with = "opt_f64s", skip_serializing_if = "Option::is_none")]
        x_err: Option<Vec<f64>>,
        /// Colour.
        #[serde(default)]
        color: Option<String>,
        /// Marker radius in pixels (0: bars only).
        #[serde(default = "default_size")]
        size: u32,
    },
    /// Line segments `[x0, y0, x1, y1]`.
    Segments {
        /// Legend entry.
        #[serde(default)]
        label: Option<String>,
        /// Segments.
        segments: Vec<[f64; 4]>,
        /// Colour.
        #[serde(default)]
        color: Option<String>,
        /// Line width.
        #[serde(default = "default_width")]
        width: u32,
    },
    /// Arrows from `(x, y)` to `(x + dx, y + dy)`.
    Arrows {
        /// Legend entry.
        #[serde(default)]
        label: Option<String>,
        /// Tails x.
        #[serde(deserialize_with = "f64s")]
        x: Vec<f64>,
        /// Tails y.
        #[serde(deserialize_with = "f64s")]
        y: Vec<f64>,
        /// Components x.
        #[serde(deserialize_with = "f64s")]
        dx: Vec<f64>,
        /// Components y.
        #[serde(deserialize_with = "f64s")]
        dy: Vec<f64>,
        /// Colour.
        #[serde(default)]
        color: Option<String>,
    },
    /// A text label whose top-left corner is at a data position.
    Text {
        /// Position x.
        x: f64,
        /// Position y.
        y: f64,
        /// Text.
        text: String,
        /// Colour.
        #[serde(default)]
        color: Option<String>,
    },
}

/// Read a list of numbers in which `null` stands for NaN (JSON has no NaN; serde_json writes
/// NaN as `null`), so figures with gaps round-trip.
fn f64s<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let v: Vec<Option<f64>> = Deserialize::deserialize(d)?;
    Ok(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
}

fn opt_f64s<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<f64>>, D::Error> {
    let v: Option<Vec<Option<f64>>> = Deserialize::deserialize(d)?;
    Ok(v.map(|v| v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect()))
}

fn default_width() -> u32 {
    2
}
fn default_size() -> u32 {
    4
}

/// A figure: axes, an optional heat map underneath, and layers on top.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// Title (wrapped onto two lines, or more at a smaller size, if it is long).
    pub title: String,
    /// x-axis title.
    pub x_label: String,
    /// y-axis title (drawn rotated along the axis).
    pub y_label: String,
    /// Fixed x range; otherwise from the data.
    #[serde(default)]
    pub x_range: Option<[f64; 2]>,
    /// Fixed y range; otherwise from the data.
    #[serde(default)]
    pub y_range: Option<[f64; 2]>,
    /// Labelled x ticks with guide lines (replaces numeric x labels when non-empty).
    #[serde(default)]
    pub x_ticks: Vec<Tick>,
    /// Heat map drawn under the layers.
    #[serde(default)]
    pub heatmap: Option<Heatmap>,
    /// Layers, drawn in order.
    #[serde(default)]
    pub layers: Vec<Layer>,
    /// Same scale on both axes (lattice pictures).
    #[serde(default)]
    pub equal_aspect: bool,
    /// Short note printed under the title (wrapped; `\n` starts a new line).
    #[serde(default)]
    pub note: String,
}

impl Figure {
    /// A figure with titles and nothing in it.
    pub fn new(title: impl Into<String>, x_label: impl Into<String>, y_label: impl Into<String>) -> Self {
        Figure {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            x_range: None,
            y_range: None,
            x_ticks: Vec::new(),
            heatmap: None,
            layers: Vec::new(),
            equal_aspect: false,
            note: String::new(),
        }
    }

    /// Add a line.
    pub fn line(mut self, label: &str, x: Vec<f64>, y: Vec<f64>, color: &str, dashed: bool) -> Self {
        self.layers.push(Layer::Line {
            label: (!label.is_empty()).then(|| label.to_string()),
            x,
            y,
            color: Some(color.to_string()),
            dashed,
            width: 2,
        });
        self
    }

    /// Add markers.
    pub fn points(mut self, label: &str, x: Vec<f64>, y: Vec<f64>, color: &str) -> Self {
        self.layers.push(Layer::Points {
            label: (!label.is_empty()).then(|| label.to_string()),
            x,
            y,
            color: Some(color.to_string()),
            size: 4,
        });
        self
    }

    /// Add markers with vertical error bars `y ± y_err` (NaN: no bar at that point).
    pub fn error_bars(mut self, label: &str, x: Vec<f64>, y: Vec<f64>, y_err: Vec<f64>, color: &str) -> Self {
        self.layers.push(Layer::ErrorBars {
            label: (!label.is_empty()).then(|| label.to_string()),
            x,
            y,
            y_err,
            x_err: None,
            color: Some(color.to_string()),
            size: 4,
        });
        self
    }

    /// Set the note printed under the title.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    /// Refuse data that cannot be drawn as meant, with a sentence saying what is wrong: lists of
    /// one layer with different lengths, a heat map whose values do not fill its grid or whose
    /// centres are not ascending, negative error bars, empty or reversed ranges, unknown colours.
    pub fn check(&self) -> Result<(), String> {
        fn same(what: &str, n: usize, m: usize, name: &str) -> Result<(), String> {
            if n != m {
                return Err(format!("layer {what}: {name} has {} but x has {}", values(m), values(n)));
            }
            Ok(())
        }
        for (name, r) in [("x_range", &self.x_range), ("y_range", &self.y_range)] {
            if let Some([a, b]) = r {
                if !(a.is_finite() && b.is_finite() && b > a) {
                    return Err(format!("{name} [{a}, {b}]: give two finite numbers, the smaller first"));
                }
            }
        }
        if let Some(t) = self.x_ticks.iter().find(|t| !t.at.is_finite()) {
            return Err(format!("x tick '{}' has no finite position", t.label));
        }
        if let Some(h) = &self.heatmap {
            let (nx, ny) = (h.x.len(), h.y.len());
            if h.z.len() != nx * ny {
                return Err(format!("heatmap: z has {}, expected len(y) x len(x) = {ny} x {nx}", values(h.z.len())));
            }
            for (axis, v) in [("x", &h.x), ("y", &h.y)] {
                if v.iter().any(|c| !c.is_finite()) || v.windows(2).any(|w| w[1] <= w[0]) {
                    return Err(format!("heatmap: the {axis} cell centres must be finite and ascending"));
                }
            }
        }
        for (i, l) in self.layers.iter().enumerate() {
            let what = format!("{} ({})", i, layer_kind(l));
            let color = match l {
                Layer::Line { x, y, color, .. } | Layer::Points { x, y, color, .. } => {
                    same(&what, x.len(), y.len(), "y")?;
                    color
                }
                Layer::ErrorBars { x, y, y_err, x_err, color, .. } => {
                    same(&what, x.len(), y.len(), "y")?;
                    same(&what, x.len(), y_err.len(), "y_err")?;
                    if let Some(xe) = x_err {
                        same(&what, x.len(), xe.len(), "x_err")?;
                    }
                    let neg = y_err.iter().chain(x_err.iter().flatten()).find(|e| **e < 0.0);
                    if let Some(e) = neg {
                        return Err(format!("layer {what}: error bar {e} is negative; give half-lengths ≥ 0"));
                    }
                    color
                }
                Layer::Arrows { x, y, dx, dy, color, .. } => {
                    same(&what, x.len(), y.len(), "y")?;
                    same(&what, x.len(), dx.len(), "dx")?;
                    same(&what, x.len(), dy.len(), "dy")?;
                    color
                }
                Layer::Segments { color, .. } | Layer::Text { color, .. } => color,
            };
            if let Some(c) = color {
                if parse_color(c).is_none() {
                    return Err(format!(
                        "layer {what}: unknown colour '{c}'; use C0..C9, #rrggbb, black, white or gray"
                    ));
                }
            }
        }
        Ok(())
    }

    /// The data's extent, error bars and heat-map cells included, padded a little.
    fn data_bounds(&self) -> ([f64; 2], [f64; 2]) {
        let mut xs = (f64::INFINITY, f64::NEG_INFINITY);
        let mut ys = (f64::INFINITY, f64::NEG_INFINITY);
        let mut add = |x: f64, y: f64| {
            if x.is_finite() && y.is_finite() {
                xs = (xs.0.min(x), xs.1.max(x));
                ys = (ys.0.min(y), ys.1.max(y));
            }
        };
        if let Some(h) = &self.heatmap {
            // the cells' outer edges, not only their centres
            let (ex, ey) = (edges(&h.x), edges(&h.y));
            if let (Some(a), Some(b)) = (ex.first().zip(ex.last()), ey.first().zip(ey.last())) {
                add(a.0 .0, b.0 .0);
                add(a.1 .1, b.1 .1);
            }
        }
        for l in &self.layers {
            match l {
                Layer::Line { x, y, .. } | Layer::Points { x, y, .. } => {
                    x.iter().zip(y).for_each(|(&a, &b)| add(a, b));
                }
                Layer::ErrorBars { x, y, y_err, x_err, .. } => {
                    for i in 0..x.len().min(y.len()) {
                        let ye = y_err.get(i).copied().filter(|e| e.is_finite()).unwrap_or(0.0);
                        let xe =
                            x_err.as_ref().and_then(|v| v.get(i)).copied().filter(|e| e.is_finite()).unwrap_or(0.0);
                        add(x[i] - xe, y[i] - ye);
                        add(x[i] + xe, y[i] + ye);
                    }
                }
                Layer::Segments { segments, .. } => segments.iter().for_each(|s| {
                    add(s[0], s[1]);
                    add(s[2], s[3]);
                }),
                Layer::Arrows { x, y, dx, dy, .. } => {
                    for i in 0..x.len().min(y.len()).min(dx.len()).min(dy.len()) {
                        add(x[i], y[i]);
                        add(x[i] + dx[i], y[i] + dy[i]);
                    }
                }
                Layer::Text { x, y, .. } => add(*x, *y),
            }
        }
        for t in &self.x_ticks {
            if t.at.is_finite() {
                xs = (xs.0.min(t.at), xs.1.max(t.at));
            }
        }
        if !xs.0.is_finite() {
            xs = (0.0, 1.0);
        }
        if !ys.0.is_finite() {
            ys = (0.0, 1.0);
        }
        let pad = |(a, b): (f64, f64), frac: f64| {
            let w = if b > a { b - a } else { a.abs().max(1.0) };
            if b > a {
                [a - frac * w, b + frac * w]
            } else {
                [a - 0.5 * w, a + 0.5 * w]
            }
        };
        let x = if self.heatmap.is_some() || !self.x_ticks.is_empty() { pad(xs, 0.0) } else { pad(xs, 0.02) };
        // a heat map fills its axes; curves drawn over it stay inside it
        let y = if self.heatmap.is_some() { pad(ys, 0.0) } else { pad(ys, 0.05) };
        (x, y)
    }
}

/// "1 value", "3 values".
fn values(n: usize) -> String {
    if n == 1 {
        "1 value".into()
    } else {
        format!("{n} values")
    }
}

fn layer_kind(l: &Layer) -> &'static str {
    match l {
        Layer::Line { .. } => "line",
        Layer::Points { .. } => "points",
        Layer::ErrorBars { .. } => "error_bars",
        Layer::Segments { .. } => "segments",
        Layer::Arrows { .. } => "arrows",
        Layer::Text { .. } => "text",
    }
}

/// Cell edges `(lo, hi)` around ascending centres: halfway to each neighbour, and as far out at
/// the ends as the nearest neighbour is.
fn edges(v: &[f64]) -> Vec<(f64, f64)> {
    let n = v.len();
    (0..n)
        .map(|i| {
            let lo =
                if i > 0 { 0.5 * (v[i - 1] + v[i]) } else { v[0] - 0.5 * v.get(1).map(|b| b - v[0]).unwrap_or(1.0) };
            let hi = if i + 1 < n {
                0.5 * (v[i] + v[i + 1])
            } else {
                v[i] + 0.5 * (if i > 0 { v[i] - v[i - 1] } else { 1.0 })
            };
            (lo, hi)
        })
        .collect()
}

const PALETTE: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (214, 39, 40),
    (44, 160, 44),
    (255, 127, 14),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

fn parse_color(s: &str) -> Option<RGBColor> {
    if let Some(i) = s.strip_prefix('C') {
        let i: usize = i.parse().ok()?;
        let (r, g, b) = PALETTE[i % 10];
        return Some(RGBColor(r, g, b));
    }
    if let Some(h) = s.strip_prefix('#') {
        if h.len() != 6 || !h.is_ascii() {
            return None;
        }
        let p = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
        return Some(RGBColor(p(0)?, p(2)?, p(4)?));
    }
    match s {
        "white" => Some(WHITE),
        "black" => Some(BLACK),
        "gray" | "grey" => Some(RGBColor(150, 150, 150)),
        _ => None,
    }
}

/// Colour of a palette name (`"C0"`..`"C9"`), `"#rrggbb"`, `"white"`, `"black"` or `"gray"`;
/// black otherwise ([`Figure::check`] refuses unknown names before drawing).
pub fn color_of(name: Option<&str>) -> RGBColor {
    name.and_then(parse_color).unwrap_or(BLACK)
}

/// A perceptually ordered colour map (viridis, piecewise linear through 6 anchors), t in [0, 1].
pub fn viridis(t: f64) -> RGBColor {
    const A: [(f64, f64, f64); 6] = [
        (68.0, 1.0, 84.0),
        (65.0, 68.0, 135.0),
        (42.0, 120.0, 142.0),
        (34.0, 168.0, 132.0),
        (122.0, 209.0, 81.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let s = t * 5.0;
    let i = (s.floor() as usize).min(4);
    let f = s - i as f64;
    let c = |a: f64, b: f64| (a + f * (b - a)).round() as u8;
    RGBColor(c(A[i].0, A[i + 1].0), c(A[i].1, A[i + 1].1), c(A[i].2, A[i + 1].2))
}

/// The colour of a missing (NaN) heat-map cell.
const MISSING: RGBColor = RGBColor(215, 215, 215);

/// How a heat map's values become colours: the scale's ends and the clipping at each end.
#[derive(Clone, Debug, PartialEq)]
pub struct ColorScale {
    /// Value at the bottom colour.
    pub lo: f64,
    /// Value at the top colour.
    pub hi: f64,
    /// Logarithmic (`lo` is then `hi / 10^LOG_DECADES`).
    pub log: bool,
    /// Some values lie above `hi` (drawn in the top colour).
    pub clipped_high: bool,
    /// Some values lie below `lo` (drawn in the bottom colour).
    pub clipped_low: bool,
}

impl ColorScale {
    /// The scale of a heat map: the top at the [`CLIP_PERCENTILE`] of the finite values, the
    /// bottom at the smallest (linear) or [`LOG_DECADES`] below the top (logarithmic).
    pub fn of(h: &Heatmap) -> Self {
        let mut v: Vec<f64> = h.z.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        if v.is_empty() {
            return ColorScale { lo: 0.0, hi: 1.0, log: h.log_scale, clipped_high: false, clipped_low: false };
        }
        let pick = |q: f64| v[(((q / 100.0) * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)];
        let (min, max) = (v[0], v[v.len() - 1]);
        let mut hi = pick(CLIP_PERCENTILE);
        if h.log_scale {
            if hi <= 0.0 {
                hi = if max > 0.0 { max } else { 1.0 };
            }
            let lo = hi / 10f64.powf(LOG_DECADES);
            return ColorScale { lo, hi, log: true, clipped_high: max > hi, clipped_low: min < lo };
        }
        let mut lo = min;
        if hi <= lo {
            // a constant map: centre it
            let w = (lo.abs() * 0.5).max(0.5);
            lo -= w;
            hi += w;
        }
        ColorScale { lo, hi, log: false, clipped_high: max > hi, clipped_low: false }
    }

    /// Position of a value on the scale, in [0, 1] (NaN for NaN).
    pub fn t(&self, z: f64) -> f64 {
        if z.is_nan() {
            return f64::NAN;
        }
        let t = if self.log {
            (z.max(self.lo).log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (z - self.lo) / (self.hi - self.lo)
        };
        t.clamp(0.0, 1.0)
    }

    /// Labelled ticks of the colour bar: (position in [0, 1], label).
    pub fn ticks(&self) -> Vec<(f64, String)> {
        if self.log {
            let (a, b) = (self.lo.log10(), self.hi.log10());
            let span = b - a;
            return ((a - 1e-9).ceil() as i32..=(b + 1e-9).floor() as i32)
                .map(|e| (((e as f64) - a) / span, ticks::power_of_ten(e)))
                .collect();
        }
        let t = nice_ticks(self.lo, self.hi, 8);
        let labels = tick_labels(&t);
        t.iter().zip(labels).map(|(&v, l)| ((v - self.lo) / (self.hi - self.lo), l)).collect()
    }
}

static FONT: Once = Once::new();

fn register_font() {
    FONT.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../fonts/DejaVuSans.ttf");
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, bytes);
    });
}

/// Text sizes in pixels.
mod font {
    pub const TITLE: u32 = 30;
    pub const TITLE_SMALL: u32 = 25;
    pub const NOTE: u32 = 20;
    pub const AXIS: u32 = 24;
    pub const TICK: u32 = 21;
    pub const LEGEND: u32 = 20;
    pub const TEXT: u32 = 20;
}

/// Outer margin in pixels.
const PAD: i32 = 16;

/// Width and height of `text` at `size` pixels in the embedded font.
fn text_size(text: &str, size: u32) -> (i32, i32) {
    register_font();
    match ("sans-serif", size as f64).into_font().box_size(text) {
        Ok((w, h)) => (w as i32, h as i32),
        Err(_) => ((0.55 * size as f64 * text.chars().count() as f64) as i32, size as i32),
    }
}

/// Greedy word wrap of `text` (with `\n` as forced breaks) into lines at most `width` pixels wide.
fn wrap(text: &str, size: u32, width: i32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if !line.is_empty() && text_size(&candidate, size).0 > width {
                lines.push(std::mem::take(&mut line));
                line = word.to_string();
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines
}

/// One legend entry: label, colour, sample kind.
#[derive(Clone, Debug, PartialEq)]
struct Entry {
    label: String,
    color: RGBColor,
    kind: Sample,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Sample {
    Line,
    Dashed,
    Marker,
    Box,
    ErrorBar,
}

/// Pixel width of a legend entry: sample, gap, text, gap to the next entry.
fn legend_entry_width(label: &str) -> i32 {
    28 + 8 + text_size(label, font::LEGEND).0 + 26
}

fn legend_entries(fig: &Figure) -> Vec<Entry> {
    let mut v = Vec::new();
    for l in &fig.layers {
        let (label, color, kind) = match l {
            Layer::Line { label, color, dashed, .. } => {
                (label, color, if *dashed { Sample::Dashed } else { Sample::Line })
            }
            Layer::Points { label, color, .. } => (label, color, Sample::Marker),
            Layer::ErrorBars { label, color, .. } => (label, color, Sample::ErrorBar),
            Layer::Segments { label, color, .. } | Layer::Arrows { label, color, .. } => (label, color, Sample::Line),
            Layer::Text { .. } => continue,
        };
        if let Some(label) = label.as_ref().filter(|s| !s.is_empty()) {
            v.push(Entry { label: label.clone(), color: color_of(color.as_deref()), kind });
        }
    }
    if let Some(h) = &fig.heatmap {
        if h.z.iter().any(|z| z.is_nan()) {
            v.push(Entry { label: "no data".into(), color: MISSING, kind: Sample::Box });
        }
    }
    v
}

/// The legend's entries placed in rows that fit `width`: (row, x offset) per entry.
fn legend_layout(entries: &[Entry], width: i32) -> Vec<(i32, i32)> {
    let mut out = Vec::new();
    let (mut row, mut x) = (0, 0);
    for e in entries {
        let w = legend_entry_width(&e.label);
        if x > 0 && x + w > width {
            row += 1;
            x = 0;
        }
        out.push((row, x));
        x += w;
    }
    out
}

/// Rows the legend needs at this figure width (0 without labels).
fn legend_rows(fig: &Figure, width: u32) -> u32 {
    let entries = legend_entries(fig);
    legend_layout(&entries, width as i32 - 2 * PAD - 20).last().map(|(r, _)| *r as u32 + 1).unwrap_or(0)
}

/// Where everything goes on the canvas, in pixels.
#[derive(Clone, Debug)]
struct Layout {
    title: Vec<String>,
    title_size: u32,
    note: Vec<String>,
    top: i32,
    y_area: i32,
    x_area: i32,
    right: i32,
    bottom: i32,
    legend_rows: i32,
    cbar_label_w: i32,
}

const TITLE_LINE: i32 = 36;
const NOTE_LINE: i32 = 25;
const LEGEND_ROW: i32 = 28;
/// Colour bar: gap to the plot, strip width, gap to its labels.
const CBAR_GAP: i32 = 18;
const CBAR_W: i32 = 24;

fn layout(fig: &Figure, w: i32, y_labels: &[String], scale: Option<&ColorScale>) -> Layout {
    let avail = w - 2 * PAD;
    let mut title_size = font::TITLE;
    let mut title = wrap(&fig.title, title_size, avail);
    if title.len() > 2 {
        title_size = font::TITLE_SMALL;
        title = wrap(&fig.title, title_size, avail);
    }
    let note = wrap(&fig.note, font::NOTE, avail);
    let title_h =
        if title.is_empty() { 0 } else { title.len() as i32 * TITLE_LINE * title_size as i32 / font::TITLE as i32 };
    let top = PAD + title_h + note.len() as i32 * NOTE_LINE + 14;
    let tick_w = y_labels.iter().map(|l| text_size(l, font::TICK).0).max().unwrap_or(0);
    let y_title = if fig.y_label.is_empty() { 0 } else { font::AXIS as i32 + 12 };
    let y_area = tick_w + 14 + y_title;
    let x_title = if fig.x_label.is_empty() { 0 } else { font::AXIS as i32 + 12 };
    let x_area = font::TICK as i32 + 14 + x_title;
    let (right, cbar_label_w) = match scale {
        Some(s) => {
            let lw = s.ticks().iter().map(|(_, l)| text_size(l, font::TICK).0).max().unwrap_or(0);
            let title = match &fig.heatmap {
                Some(h) if !h.label.is_empty() => font::AXIS as i32 + 14,
                _ => 0,
            };
            (CBAR_GAP + CBAR_W + 8 + lw + 10 + title + PAD, lw)
        }
        // room for half of the last x tick label
        None => (PAD + 24, 0),
    };
    let legend_rows = legend_rows(fig, w as u32) as i32;
    let bottom = PAD / 2 + legend_rows * LEGEND_ROW + if legend_rows > 0 { 6 } else { 0 };
    Layout { title, title_size, note, top, y_area, x_area, right, bottom, legend_rows, cbar_label_w }
}

impl Layout {
    /// Plot area size in pixels for a canvas of `w` x `h`.
    fn plot_size(&self, w: i32, h: i32) -> (f64, f64) {
        ((w - PAD - self.y_area - self.right) as f64, (h - self.top - self.x_area - self.bottom) as f64)
    }
}

/// Widen the narrower range so one data unit has the same length on both axes.
fn equalize(xr: &mut [f64; 2], yr: &mut [f64; 2], pw: f64, ph: f64) {
    if pw <= 0.0 || ph <= 0.0 {
        return;
    }
    let sx = (xr[1] - xr[0]) / pw;
    let sy = (yr[1] - yr[0]) / ph;
    if sx > sy {
        let c = 0.5 * (yr[0] + yr[1]);
        let half = 0.5 * sx * ph;
        *yr = [c - half, c + half];
    } else {
        let c = 0.5 * (xr[0] + xr[1]);
        let half = 0.5 * sy * pw;
        *xr = [c - half, c + half];
    }
}

/// Clip the segment `a`-`b` to the rectangle `xr` x `yr` (Liang-Barsky); `None` if it misses.
fn clip(a: (f64, f64), b: (f64, f64), xr: [f64; 2], yr: [f64; 2]) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [(-dx, a.0 - xr[0]), (dx, xr[1] - a.0), (-dy, a.1 - yr[0]), (dy, yr[1] - a.1)] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
            if t0 > t1 {
                return None;
            }
        }
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            (a.0 + t * dx, a.1 + t * dy)
        }
    };
    Some((at(t0), at(t1)))
}

/// Polylines of a line layer after clipping: runs of consecutive finite points inside the range.
fn clipped_runs(x: &[f64], y: &[f64], xr: [f64; 2], yr: [f64; 2]) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    let pts: Vec<(f64, f64)> = x.iter().zip(y).map(|(&a, &b)| (a, b)).collect();
    let finite = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite();
    for w in pts.windows(2) {
        if !(finite(&w[0]) && finite(&w[1])) {
            if cur.len() > 1 {
                runs.push(std::mem::take(&mut cur));
            }
            cur.clear();
            continue;
        }
        match clip(w[0], w[1], xr, yr) {
            Some((p, q)) => {
                if cur.last() != Some(&p) {
                    if cur.len() > 1 {
                        runs.push(std::mem::take(&mut cur));
                    }
                    cur = vec![p];
                }
                cur.push(q);
            }
            None => {
                if cur.len() > 1 {
                    runs.push(std::mem::take(&mut cur));
                }
                cur.clear();
            }
        }
    }
    if cur.len() > 1 {
        runs.push(cur);
    }
    runs
}

/// Dashes (12 px on, 7 px off) along a polyline in pixels, continuing across its corners.
fn dashes(run: &[(i32, i32)]) -> Vec<Vec<(i32, i32)>> {
    const ON: f64 = 12.0;
    const PERIOD: f64 = 19.0;
    let mut out = Vec::new();
    let mut phase = 0.0f64; // distance along the pattern
    let mut cur: Vec<(i32, i32)> = Vec::new();
    for w in run.windows(2) {
        let (a, b) = ((w[0].0 as f64, w[0].1 as f64), (w[1].0 as f64, w[1].1 as f64));
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let mut s = 0.0;
        while s < len {
            let on = phase < ON;
            let left = if on { ON - phase } else { PERIOD - phase };
            let step = left.min(len - s);
            let p =
                |t: f64| ((a.0 + (b.0 - a.0) * t / len).round() as i32, (a.1 + (b.1 - a.1) * t / len).round() as i32);
            if on {
                if cur.is_empty() {
                    cur.push(p(s));
                }
                cur.push(p(s + step));
            }
            s += step;
            phase += step;
            if phase >= PERIOD - 1e-9 {
                phase = 0.0;
            }
            if phase >= ON && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    if cur.len() > 1 {
        out.push(cur);
    }
    out
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, fig: &Figure) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    fig.check()?;
    root.fill(&WHITE).map_err(e)?;
    let (dx, dy) = fig.data_bounds();
    let mut xr = fig.x_range.unwrap_or(dx);
    let mut yr = fig.y_range.unwrap_or(dy);
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let scale = fig.heatmap.as_ref().map(ColorScale::of);
    let y_ticks_of = |yr: [f64; 2]| {
        let t = nice_ticks(yr[0], yr[1], 8);
        let l = tick_labels(&t);
        (t, l)
    };
    let (mut yt, mut yl) = y_ticks_of(yr);
    let mut lay = layout(fig, w, &yl, scale.as_ref());
    if fig.equal_aspect {
        // the tick labels' width depends on the range and the range on the plot's width: twice
        // is enough for the widths to settle
        for _ in 0..2 {
            let (pw, ph) = lay.plot_size(w, h);
            equalize(&mut xr, &mut yr, pw, ph);
            (yt, yl) = y_ticks_of(yr);
            lay = layout(fig, w, &yl, scale.as_ref());
        }
    }
    let xt = nice_ticks(xr[0], xr[1], 10);
    let xl = tick_labels(&xt);
    let label_of = |ticks: &[f64], labels: &[String], v: f64| -> String {
        let tol = ticks.windows(2).map(|w| w[1] - w[0]).fold(f64::INFINITY, f64::min).min(1.0) * 1e-6;
        ticks
            .iter()
            .position(|t| (t - v).abs() <= tol.max(f64::MIN_POSITIVE))
            .map(|i| labels[i].clone())
            .unwrap_or_default()
    };
    let fx = |v: &f64| label_of(&xt, &xl, *v);
    let fy = |v: &f64| label_of(&yt, &yl, *v);
    let mut chart = ChartBuilder::on(&root)
        .margin_top(lay.top)
        .margin_left(PAD)
        .margin_right(lay.right)
        .margin_bottom(lay.bottom)
        .x_label_area_size(lay.x_area)
        .y_label_area_size(lay.y_area)
        .build_cartesian_2d(xr[0]..xr[1], yr[0]..yr[1])
        .map_err(e)?;
    {
        let mut mesh = chart.configure_mesh();
        mesh.label_style(("sans-serif", font::TICK))
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(215, 215, 215))
            .x_labels(10)
            .y_labels(8)
            .x_label_formatter(&fx)
            .y_label_formatter(&fy);
        if !fig.x_ticks.is_empty() {
            mesh.disable_x_mesh().x_labels(0);
        }
        mesh.draw().map_err(e)?;
    }
    let (px, py) = chart.plotting_area().get_pixel_range();
    let to_px = |p: (f64, f64)| chart.backend_coord(&p);
    let inside = |x: f64, y: f64| x >= xr[0] && x <= xr[1] && y >= yr[0] && y <= yr[1];
    if let (Some(hm), Some(sc)) = (&fig.heatmap, &scale) {
        let (ex, ey) = (edges(&hm.x), edges(&hm.y));
        let nx = hm.x.len();
        for (iy, &(y0, y1)) in ey.iter().enumerate() {
            let (y0, y1) = (y0.max(yr[0]), y1.min(yr[1]));
            if y1 <= y0 {
                continue;
            }
            for (ix, &(x0, x1)) in ex.iter().enumerate() {
                let (x0, x1) = (x0.max(xr[0]), x1.min(xr[1]));
                if x1 <= x0 {
                    continue;
                }
                let z = hm.z[iy * nx + ix];
                let c = if z.is_nan() { MISSING } else { viridis(sc.t(z)) };
                root.draw(&Rectangle::new([to_px((x0, y1)), to_px((x1, y0))], c.filled())).map_err(e)?;
            }
        }
    }
    if !fig.x_ticks.is_empty() {
        // guide lines over the heat map, labels centred under the axis
        for t in fig.x_ticks.iter().filter(|t| t.at >= xr[0] && t.at <= xr[1]) {
            let (x, _) = to_px((t.at, yr[0]));
            let guide = if fig.heatmap.is_some() { RGBColor(235, 235, 235) } else { RGBColor(170, 170, 170) };
            root.draw(&PathElement::new(vec![(x, py.start), (x, py.end)], guide.stroke_width(1))).map_err(e)?;
            let style =
                ("sans-serif", font::AXIS).into_font().into_text_style(&root).pos(Pos::new(HPos::Center, VPos::Top));
            root.draw(&Text::new(t.label.clone(), (x, py.end + 8), style)).map_err(e)?;
        }
    }
    for layer in &fig.layers {
        match layer {
            Layer::Line { x, y, color, dashed, width, .. } => {
                let style = color_of(color.as_deref()).stroke_width(*width);
                for run in clipped_runs(x, y, xr, yr) {
                    let pix: Vec<(i32, i32)> = run.into_iter().map(to_px).collect();
                    if *dashed {
                        for d in dashes(&pix) {
                            root.draw(&PathElement::new(d, style)).map_err(e)?;
                        }
                    } else {
                        root.draw(&PathElement::new(pix, style)).map_err(e)?;
                    }
                }
            }
            Layer::Points { x, y, color, size, .. } => {
                let c = color_of(color.as_deref());
                for (&a, &b) in x.iter().zip(y) {
                    if inside(a, b) {
                        root.draw(&Circle::new(to_px((a, b)), *size, c.filled())).map_err(e)?;
                    }
                }
            }
            Layer::ErrorBars { x, y, y_err, x_err, color, size, .. } => {
                let c = color_of(color.as_deref());
                let style = c.stroke_width(2);
                let cap = (*size as i32).max(3) + 2;
                for i in 0..x.len() {
                    let (a, b) = (x[i], y[i]);
                    if !(a.is_finite() && b.is_finite()) {
                        continue;
                    }
                    let bar = |p: (f64, f64), q: (f64, f64), vertical: bool| -> Result<(), String> {
                        if let Some((p2, q2)) = clip(p, q, xr, yr) {
                            let (pp, qq) = (to_px(p2), to_px(q2));
                            root.draw(&PathElement::new(vec![pp, qq], style)).map_err(e)?;
                            for (end, orig) in [(p2, p), (q2, q)] {
                                if end == orig {
                                    let (ex, ey) = to_px(end);
                                    let pts = if vertical {
                                        vec![(ex - cap, ey), (ex + cap, ey)]
                                    } else {
                                        vec![(ex, ey - cap), (ex, ey + cap)]
                                    };
                                    root.draw(&PathElement::new(pts, style)).map_err(e)?;
                                }
                            }
                        }
                        Ok(())
                    };
                    let ye = y_err[i];
                    if ye.is_finite() && ye > 0.0 {
                        bar((a, b - ye), (a, b + ye), true)?;
                    }
                    if let Some(xe) = x_err.as_ref().map(|v| v[i]).filter(|v| v.is_finite() && *v > 0.0) {
                        bar((a - xe, b), (a + xe, b), false)?;
                    }
                    if *size > 0 && inside(a, b) {
                        root.draw(&Circle::new(to_px((a, b)), *size, c.filled())).map_err(e)?;
                    }
                }
            }
            Layer::Segments { segments, color, width, .. } => {
                let style = color_of(color.as_deref()).stroke_width(*width);
                for s in segments {
                    if let Some((p, q)) = clip((s[0], s[1]), (s[2], s[3]), xr, yr) {
                        root.draw(&PathElement::new(vec![to_px(p), to_px(q)], style)).map_err(e)?;
                    }
                }
            }
            Layer::Arrows { x, y, dx, dy, color, .. } => {
                let style = color_of(color.as_deref()).stroke_width(2);
                for i in 0..x.len() {
                    let (tail, tip) = ((x[i], y[i]), (x[i] + dx[i], y[i] + dy[i]));
                    let Some((p, q)) = clip(tail, tip, xr, yr) else { continue };
                    let (p, q) = (to_px(p), to_px(q));
                    root.draw(&PathElement::new(vec![p, q], style)).map_err(e)?;
                    if !inside(tip.0, tip.1) {
                        continue;
                    }
                    // the head in pixels, so that it keeps its shape whatever the axes' scales
                    let (ux, uy) = ((q.0 - p.0) as f64, (q.1 - p.1) as f64);
                    let len = (ux * ux + uy * uy).sqrt();
                    if len > 0.0 {
                        let hl = (0.3 * len).clamp(4.0, 18.0);
                        for s in [-1.0f64, 1.0] {
                            let (cs, sn) = ((s * 0.45f64).cos(), (s * 0.45f64).sin());
                            let hx = -(ux * cs - uy * sn) / len * hl;
                            let hy = -(ux * sn + uy * cs) / len * hl;
                            let end = (q.0 + hx.round() as i32, q.1 + hy.round() as i32);
                            root.draw(&PathElement::new(vec![q, end], style)).map_err(e)?;
                        }
                    }
                }
            }
            Layer::Text { x, y, text, color } => {
                if inside(*x, *y) {
                    let c = color_of(color.as_deref());
                    let style = ("sans-serif", font::TEXT).into_font().color(&c);
                    root.draw(&Text::new(text.clone(), to_px((*x, *y)), style)).map_err(e)?;
                }
            }
        }
    }
    if let (Some(hm), Some(sc)) = (&fig.heatmap, &scale) {
        draw_colorbar(&root, sc, &hm.label, (px.end, py.clone()), lay.cbar_label_w).map_err(e)?;
    }
    let entries = legend_entries(fig);
    if !entries.is_empty() {
        let y_first = h - PAD / 2 - lay.legend_rows * LEGEND_ROW + LEGEND_ROW / 2;
        for (en, (row, off)) in entries.iter().zip(legend_layout(&entries, w - 2 * PAD - 20)) {
            let (x, y) = (PAD + 10 + off, y_first + row * LEGEND_ROW);
            let c = en.color;
            if c == WHITE {
                // a white sample would vanish on the white margin: give it a dark backing
                root.draw(&Rectangle::new([(x - 3, y - 8), (x + 31, y + 8)], RGBColor(60, 60, 60).filled()))
                    .map_err(e)?;
            }
            match en.kind {
                Sample::Marker => root.draw(&Circle::new((x + 14, y), 5, c.filled())).map_err(e)?,
                Sample::ErrorBar => {
                    root.draw(&PathElement::new(vec![(x + 14, y - 9), (x + 14, y + 9)], c.stroke_width(2)))
                        .map_err(e)?;
                    for yy in [y - 9, y + 9] {
                        root.draw(&PathElement::new(vec![(x + 9, yy), (x + 19, yy)], c.stroke_width(2))).map_err(e)?;
                    }
                    root.draw(&Circle::new((x + 14, y), 5, c.filled())).map_err(e)?
                }
                Sample::Box => root.draw(&Rectangle::new([(x + 2, y - 7), (x + 26, y + 7)], c.filled())).map_err(e)?,
                Sample::Dashed => {
                    root.draw(&PathElement::new(vec![(x, y), (x + 10, y)], c.stroke_width(3))).map_err(e)?;
                    root.draw(&PathElement::new(vec![(x + 17, y), (x + 28, y)], c.stroke_width(3))).map_err(e)?
                }
                Sample::Line => {
                    root.draw(&PathElement::new(vec![(x, y), (x + 28, y)], c.stroke_width(3))).map_err(e)?
                }
            }
            let style =
                ("sans-serif", font::LEGEND).into_font().into_text_style(&root).pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(en.label.clone(), (x + 36, y), style)).map_err(e)?;
        }
    }
    // axis titles: x centred under its tick labels, y rotated along the axis left of its labels
    if !fig.x_label.is_empty() {
        let style =
            ("sans-serif", font::AXIS).into_font().into_text_style(&root).pos(Pos::new(HPos::Center, VPos::Bottom));
        let x = (px.start + px.end) / 2;
        root.draw(&Text::new(fig.x_label.clone(), (x, py.end + lay.x_area - 4), style)).map_err(e)?;
    }
    if !fig.y_label.is_empty() {
        let style = ("sans-serif", font::AXIS)
            .into_font()
            .transform(FontTransform::Rotate270)
            .into_text_style(&root)
            .pos(Pos::new(HPos::Center, VPos::Top));
        let y = (py.start + py.end) / 2;
        root.draw(&Text::new(fig.y_label.clone(), (PAD + 2, y), style)).map_err(e)?;
    }
    let mut y = PAD;
    for line in &lay.title {
        let style =
            ("sans-serif", lay.title_size).into_font().into_text_style(&root).pos(Pos::new(HPos::Center, VPos::Top));
        root.draw(&Text::new(line.clone(), (w / 2, y), style)).map_err(e)?;
        y += TITLE_LINE * lay.title_size as i32 / font::TITLE as i32;
    }
    for line in &lay.note {
        let style = ("sans-serif", font::NOTE).into_font().color(&RGBColor(70, 70, 70));
        root.draw(&Text::new(line.clone(), (PAD + 4, y + 2), style)).map_err(e)?;
        y += NOTE_LINE;
    }
    root.present().map_err(e)?;
    Ok(())
}

/// The colour bar right of the plot: a strip with the scale, numbered ticks, triangles at the
/// ends where values are clipped, and the map's label rotated along it.
fn draw_colorbar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    sc: &ColorScale,
    label: &str,
    (plot_right, py): (i32, std::ops::Range<i32>),
    label_w: i32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let x0 = plot_right + CBAR_GAP;
    let x1 = x0 + CBAR_W;
    // leave room for the clipping triangles
    let (top, bot) = (py.start + 14, py.end - 14);
    let span = (bot - top).max(1) as f64;
    for yy in top..bot {
        let t = (bot - yy) as f64 / span;
        root.draw(&Rectangle::new([(x0, yy), (x1, yy + 1)], viridis(t).filled()))?;
    }
    root.draw(&Rectangle::new([(x0, top), (x1, bot)], BLACK.stroke_width(1)))?;
    if sc.clipped_high {
        root.draw(&Polygon::new(vec![(x0, top), (x1, top), ((x0 + x1) / 2, top - 12)], viridis(1.0).filled()))?;
    }
    if sc.clipped_low {
        root.draw(&Polygon::new(vec![(x0, bot), (x1, bot), ((x0 + x1) / 2, bot + 12)], viridis(0.0).filled()))?;
    }
    if sc.log {
        // minor ticks at 2..9 times each power of ten
        let (a, b) = (sc.lo.log10(), sc.hi.log10());
        for e in a.floor() as i32..=b.ceil() as i32 {
            for m in 2..10 {
                let t = ((m as f64).log10() + e as f64 - a) / (b - a);
                if (0.0..=1.0).contains(&t) {
                    let yy = bot - (t * span).round() as i32;
                    root.draw(&PathElement::new(vec![(x1 - 3, yy), (x1 + 2, yy)], BLACK.stroke_width(1)))?;
                }
            }
        }
    }
    for (t, l) in sc.ticks() {
        if !(-1e-9..=1.0 + 1e-9).contains(&t) {
            continue;
        }
        let yy = bot - (t * span).round() as i32;
        root.draw(&PathElement::new(vec![(x1 - 6, yy), (x1 + 4, yy)], BLACK.stroke_width(1)))?;
        let style =
            ("sans-serif", font::TICK).into_font().into_text_style(root).pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(l, (x1 + 8, yy), style))?;
    }
    if !label.is_empty() {
        let style = ("sans-serif", font::AXIS)
            .into_font()
            .transform(FontTransform::Rotate270)
            .into_text_style(root)
            .pos(Pos::new(HPos::Center, VPos::Top));
        root.draw(&Text::new(label.to_string(), (x1 + 8 + label_w + 10, (py.start + py.end) / 2), style))?;
    }
    Ok(())
}

/// Pixel size of rendered figures.
pub const SIZE: (u32, u32) = (1000, 700);

/// Render `fig` to `<stem>.png` and `<stem>.svg`; returns both paths. An inconsistent figure
/// ([`Figure::check`]) is refused before anything is written.
pub fn render(fig: &Figure, stem: &Path) -> Result<(PathBuf, PathBuf), PlotError> {
    register_font();
    let name = stem.display().to_string();
    fig.check().map_err(|reason| PlotError::Draw { name: name.clone(), reason })?;
    let size = if fig.equal_aspect { (900, 900) } else { SIZE };
    let png = stem.with_extension("png");
    let svg = stem.with_extension("svg");
    draw(BitMapBackend::new(&png, size).into_drawing_area(), fig)
        .map_err(|reason| PlotError::Draw { name: name.clone(), reason })?;
    draw(SVGBackend::new(&svg, size).into_drawing_area(), fig)
        .map_err(|reason| PlotError::Draw { name: name.clone(), reason })?;
    Ok((png, svg))
}

/// Read a saved figure (JSON).
pub fn load(path: &Path) -> Result<Figure, PlotError> {
    let bytes =
        std::fs::read(path).map_err(|e| PlotError::Read { path: path.display().to_string(), reason: e.to_string() })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| PlotError::Read { path: path.display().to_string(), reason: e.to_string() })
}

#[cfg(test)]
mod tests;
