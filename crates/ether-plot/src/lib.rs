//! Figures for ether, drawn from saved records only.
//!
//! A [`Figure`] is plain data (it serializes to JSON and is saved in every run directory as
//! `figures/NAME.json`); [`render`] turns it into a PNG and an SVG. The physics crate never
//! depends on this one, and `ether plot RUN_DIR` redraws every figure from its JSON alone.
//!
//! Text uses an embedded DejaVu Sans font, so nothing (fontconfig, freetype) is needed on the
//! machine. plotters cannot rotate text with this backend, so the y-axis title is written
//! horizontally above the axis.

pub mod chapters;
pub mod run;

pub use chapters::NamedFigure;
pub use run::RunData;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
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

/// A colour map over a regular grid of cell centres.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Heatmap {
    /// Cell centres along x (ascending).
    pub x: Vec<f64>,
    /// Cell centres along y (ascending).
    pub y: Vec<f64>,
    /// Values, row-major with y slowest: `z[iy * x.len() + ix]`.
    #[serde(deserialize_with = "f64s")]
    pub z: Vec<f64>,
    /// Colour by log10(z) (values below `max * 1e-4` are clipped).
    #[serde(default)]
    pub log_scale: bool,
    /// What the colour means, shown in the legend row.
    #[serde(default)]
    pub label: String,
}

/// The top of every colour scale is this percentile of the values, so that one Bragg peak does not
/// wash out everything else; larger values are clipped.
pub const CLIP_PERCENTILE: f64 = 99.5;

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
    /// A text label at a data position.
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
    /// Title.
    pub title: String,
    /// x-axis title.
    pub x_label: String,
    /// y-axis title.
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
    /// Short note printed under the title.
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
            for &x in &h.x {
                for &y in &h.y {
                    add(x, y);
                }
            }
        }
        for l in &self.layers {
            match l {
                Layer::Line { x, y, .. } | Layer::Points { x, y, .. } => {
                    x.iter().zip(y).for_each(|(&a, &b)| add(a, b));
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
            let w = if b > a { b - a } else { 1.0 };
            [a - frac * w, b + frac * w]
        };
        let x = if self.heatmap.is_some() || !self.x_ticks.is_empty() { pad(xs, 0.0) } else { pad(xs, 0.02) };
        (x, pad(ys, 0.05))
    }
}

/// Colour of a palette name (`"C0"`..`"C9"`) or `"#rrggbb"`; black otherwise.
pub fn color_of(name: Option<&str>) -> RGBColor {
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
    match name {
        Some(s) if s.starts_with('C') => {
            let i: usize = s[1..].parse().unwrap_or(0);
            let (r, g, b) = PALETTE[i % 10];
            RGBColor(r, g, b)
        }
        Some(s) if s.starts_with('#') && s.len() == 7 => {
            let p = |i: usize| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0);
            RGBColor(p(1), p(3), p(5))
        }
        Some("white") => WHITE,
        Some("gray") | Some("grey") => RGBColor(150, 150, 150),
        _ => BLACK,
    }
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

static FONT: Once = Once::new();

fn register_font() {
    FONT.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../fonts/DejaVuSans.ttf");
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, bytes);
    });
}

/// Pixel width of a legend entry with this label (sample, gap, text at ~8.6 px per character).
fn legend_entry_width(label: &str) -> i32 {
    26 + (8.6 * label.chars().count() as f64) as i32 + 24
}

fn legend_labels(fig: &Figure) -> Vec<String> {
    let mut v: Vec<String> = fig
        .layers
        .iter()
        .filter_map(|l| match l {
            Layer::Line { label, .. }
            | Layer::Points { label, .. }
            | Layer::Segments { label, .. }
            | Layer::Arrows { label, .. } => label.clone(),
            Layer::Text { .. } => None,
        })
        .collect();
    if let Some(h) = &fig.heatmap {
        if !h.label.is_empty() {
            v.push(format!("colour: {}", h.label));
        }
    }
    v
}

/// Rows the legend needs at this figure width (0 without labels).
fn legend_rows(fig: &Figure, width: u32) -> u32 {
    let labels = legend_labels(fig);
    if labels.is_empty() {
        return 0;
    }
    let mut rows = 1;
    let mut x = 30;
    for l in labels {
        let w = legend_entry_width(&l);
        if x > 30 && x + w > width as i32 - 20 {
            rows += 1;
            x = 30;
        }
        x += w;
    }
    rows
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, fig: &Figure) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (dx, dy) = fig.data_bounds();
    let mut xr = fig.x_range.unwrap_or(dx);
    let mut yr = fig.y_range.unwrap_or(dy);
    if xr[1] <= xr[0] {
        xr[1] = xr[0] + 1.0;
    }
    if yr[1] <= yr[0] {
        yr[1] = yr[0] + 1.0;
    }
    let (w, h) = root.dim_in_pixel();
    if fig.equal_aspect {
        // widen the narrower range so one data unit has the same length on both axes
        let pw = w as f64 - 120.0;
        let ph = h as f64 - 150.0;
        let sx = (xr[1] - xr[0]) / pw;
        let sy = (yr[1] - yr[0]) / ph;
        if sx > sy {
            let c = 0.5 * (yr[0] + yr[1]);
            let half = 0.5 * sx * ph;
            yr = [c - half, c + half];
        } else {
            let c = 0.5 * (xr[0] + xr[1]);
            let half = 0.5 * sy * pw;
            xr = [c - half, c + half];
        }
    }
    let title_font = ("sans-serif", 26).into_font();
    let mut chart = ChartBuilder::on(&root)
        .caption(&fig.title, title_font)
        .margin(18)
        .margin_top(if fig.note.is_empty() { 40 } else { 62 })
        .margin_bottom(18 + 24 * legend_rows(fig, w))
        .x_label_area_size(55)
        .y_label_area_size(75)
        .build_cartesian_2d(xr[0]..xr[1], yr[0]..yr[1])
        .map_err(e)?;
    let label_font = ("sans-serif", 18).into_font();
    {
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(fig.x_label.as_str())
            .axis_desc_style(("sans-serif", 20))
            .label_style(label_font.clone())
            .light_line_style(RGBColor(235, 235, 235));
        let ticks = fig.x_ticks.clone();
        let fmt_ticks =
            move |x: &f64| ticks.iter().find(|t| (t.at - x).abs() < 1e-9).map(|t| t.label.clone()).unwrap_or_default();
        if !fig.x_ticks.is_empty() {
            mesh.disable_x_mesh().x_labels(0);
        }
        mesh.y_labels(8).draw().map_err(e)?;
        if !fig.x_ticks.is_empty() {
            // guide lines and labels at the ticks
            for t in &fig.x_ticks {
                chart
                    .draw_series(LineSeries::new(vec![(t.at, yr[0]), (t.at, yr[1])], RGBColor(170, 170, 170)))
                    .map_err(e)?;
            }
            let _ = fmt_ticks;
        }
    }
    if let Some(hm) = &fig.heatmap {
        let nx = hm.x.len();
        let ny = hm.y.len();
        if nx > 0 && ny > 0 && hm.z.len() == nx * ny {
            let mut sorted: Vec<f64> = hm.z.iter().cloned().filter(|v| v.is_finite()).collect();
            sorted.sort_by(|a, b| a.total_cmp(b));
            let pick = |q: f64| -> f64 {
                if sorted.is_empty() {
                    return 0.0;
                }
                let i = ((q / 100.0) * (sorted.len() - 1) as f64).round() as usize;
                sorted[i.min(sorted.len() - 1)]
            };
            let zmax = pick(CLIP_PERCENTILE);
            let zmin = pick(0.0);
            let map = |z: f64| -> f64 {
                if hm.log_scale {
                    let floor = (zmax.abs() * 1e-3).max(1e-300);
                    let l = z.max(floor).log10();
                    (l - floor.log10()) / (zmax.max(floor).log10() - floor.log10()).max(1e-12)
                } else {
                    (z - zmin) / (zmax - zmin).max(1e-300)
                }
            };
            let edge = |v: &[f64], i: usize| -> (f64, f64) {
                let lo = if i == 0 {
                    v[0] - 0.5 * (v.get(1).map(|b| b - v[0]).unwrap_or(1.0))
                } else {
                    0.5 * (v[i - 1] + v[i])
                };
                let hi = if i + 1 == v.len() {
                    v[i] + 0.5 * (if i > 0 { v[i] - v[i - 1] } else { 1.0 })
                } else {
                    0.5 * (v[i] + v[i + 1])
                };
                (lo, hi)
            };
            let mut rects = Vec::with_capacity(nx * ny);
            for iy in 0..ny {
                let (y0, y1) = edge(&hm.y, iy);
                for ix in 0..nx {
                    let (x0, x1) = edge(&hm.x, ix);
                    let c = viridis(map(hm.z[iy * nx + ix]));
                    rects.push(Rectangle::new([(x0, y0), (x1, y1)], c.filled()));
                }
            }
            chart.draw_series(rects).map_err(e)?;
        }
    }
    // (label, colour, kind) of legend entries, drawn as a row in the top margin
    let mut legend: Vec<(String, RGBColor, u8)> = Vec::new();
    for layer in &fig.layers {
        match layer {
            Layer::Line { label, x, y, color, dashed, width } => {
                let c = color_of(color.as_deref());
                let style = c.stroke_width(*width);
                // split at non-finite points
                let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
                for (&a, &b) in x.iter().zip(y) {
                    if a.is_finite() && b.is_finite() {
                        runs.last_mut().unwrap().push((a, b));
                    } else if !runs.last().unwrap().is_empty() {
                        runs.push(Vec::new());
                    }
                }
                let mut first = true;
                for run in runs.into_iter().filter(|r| !r.is_empty()) {
                    if *dashed {
                        let mut segs = Vec::new();
                        for w in run.windows(2) {
                            let (a, b) = (w[0], w[1]);
                            for s in 0..4 {
                                if s % 2 == 0 {
                                    let t0 = s as f64 / 4.0;
                                    let t1 = (s + 1) as f64 / 4.0;
                                    segs.push(PathElement::new(
                                        vec![
                                            (a.0 + t0 * (b.0 - a.0), a.1 + t0 * (b.1 - a.1)),
                                            (a.0 + t1 * (b.0 - a.0), a.1 + t1 * (b.1 - a.1)),
                                        ],
                                        style,
                                    ));
                                }
                            }
                        }
                        let anno = chart.draw_series(segs).map_err(e)?;
                        let _ = anno;
                        if let (Some(l), true) = (label, first) {
                            legend.push((l.clone(), c, if *dashed { 1 } else { 0 }));
                        }
                    } else {
                        let anno = chart.draw_series(LineSeries::new(run, style)).map_err(e)?;
                        let _ = anno;
                        if let (Some(l), true) = (label, first) {
                            legend.push((l.clone(), c, if *dashed { 1 } else { 0 }));
                        }
                    }
                    first = false;
                }
            }
            Layer::Points { label, x, y, color, size } => {
                let c = color_of(color.as_deref());
                let s = *size;
                let pts: Vec<(f64, f64)> =
                    x.iter().zip(y).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(&a, &b)| (a, b)).collect();
                let anno = chart.draw_series(pts.into_iter().map(|p| Circle::new(p, s, c.filled()))).map_err(e)?;
                let _ = anno;
                if let Some(l) = label {
                    legend.push((l.clone(), c, 2));
                }
            }
            Layer::Segments { label, segments, color, width } => {
                let c = color_of(color.as_deref());
                let style = c.stroke_width(*width);
                let anno = chart
                    .draw_series(segments.iter().map(|s| PathElement::new(vec![(s[0], s[1]), (s[2], s[3])], style)))
                    .map_err(e)?;
                let _ = anno;
                if let Some(l) = label {
                    legend.push((l.clone(), c, 0));
                }
            }
            Layer::Arrows { label, x, y, dx, dy, color } => {
                let c = color_of(color.as_deref());
                let style = c.stroke_width(2);
                let n = x.len().min(y.len()).min(dx.len()).min(dy.len());
                let mut elems = Vec::new();
                for i in 0..n {
                    let (x0, y0, x1, y1) = (x[i], y[i], x[i] + dx[i], y[i] + dy[i]);
                    elems.push(PathElement::new(vec![(x0, y0), (x1, y1)], style));
                    // arrow head: two short strokes at 25 degrees
                    let (ux, uy) = (x1 - x0, y1 - y0);
                    let len = (ux * ux + uy * uy).sqrt();
                    if len > 0.0 {
                        let hl = 0.3 * len;
                        for s in [-1.0f64, 1.0] {
                            let ang = s * 0.45;
                            let (cs, sn) = (ang.cos(), ang.sin());
                            let hx = -(ux * cs - uy * sn) / len * hl;
                            let hy = -(ux * sn + uy * cs) / len * hl;
                            elems.push(PathElement::new(vec![(x1, y1), (x1 + hx, y1 + hy)], style));
                        }
                    }
                }
                let anno = chart.draw_series(elems).map_err(e)?;
                let _ = anno;
                if let Some(l) = label {
                    legend.push((l.clone(), c, 0));
                }
            }
            Layer::Text { x, y, text, color } => {
                let c = color_of(color.as_deref());
                chart
                    .draw_series(std::iter::once(plotters::element::Text::new(
                        text.clone(),
                        (*x, *y),
                        ("sans-serif", 18).into_font().color(&c),
                    )))
                    .map_err(e)?;
            }
        }
    }
    if let Some(hm) = &fig.heatmap {
        if !hm.label.is_empty() {
            legend.push((format!("colour: {}", hm.label), viridis(0.8), 3));
        }
    }
    if !legend.is_empty() {
        // rows along the bottom edge, left to right, wrapping at the right edge
        let rows = legend_rows(fig, w) as i32;
        let mut y = h as i32 - 22 - 24 * (rows - 1);
        let mut x = 30i32;
        for (label, c, kind) in &legend {
            if x > 30 && x + legend_entry_width(label) > w as i32 - 20 {
                x = 30;
                y += 24;
            }
            // a white sample would vanish on the white margin: outline it
            if *c == WHITE {
                root.draw(&Rectangle::new([(x - 3, y - 7), (x + 23, y + 7)], RGBColor(60, 60, 60).filled()))
                    .map_err(e)?;
            }
            match kind {
                2 => root.draw(&Circle::new((x + 10, y), 5, c.filled())).map_err(e)?,
                3 => root.draw(&Rectangle::new([(x, y - 6), (x + 20, y + 6)], c.filled())).map_err(e)?,
                1 => {
                    root.draw(&PathElement::new(vec![(x, y), (x + 8, y)], c.stroke_width(3))).map_err(e)?;
                    root.draw(&PathElement::new(vec![(x + 12, y), (x + 20, y)], c.stroke_width(3))).map_err(e)?
                }
                _ => root.draw(&PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3))).map_err(e)?,
            }
            root.draw(&plotters::element::Text::new(label.clone(), (x + 26, y - 9), ("sans-serif", 17).into_font()))
                .map_err(e)?;
            x += legend_entry_width(label);
        }
    }
    // Tick labels (below the axis) for labelled ticks.
    if !fig.x_ticks.is_empty() {
        let plot = chart.plotting_area();
        let (px, _) = plot.get_pixel_range();
        let py = plot.get_pixel_range().1;
        for t in &fig.x_ticks {
            let frac = (t.at - xr[0]) / (xr[1] - xr[0]);
            let xpix = px.start as f64 + frac * (px.end - px.start) as f64;
            root.draw(&plotters::element::Text::new(
                t.label.clone(),
                (xpix as i32 - 6, py.end + 8),
                ("sans-serif", 20).into_font(),
            ))
            .map_err(e)?;
        }
    }
    // y-axis title, horizontal, above the axis
    {
        let plot = chart.plotting_area();
        let (px, py) = plot.get_pixel_range();
        root.draw(&plotters::element::Text::new(
            fig.y_label.clone(),
            (px.start - 60, py.start - 28),
            ("sans-serif", 20).into_font(),
        ))
        .map_err(e)?;
    }
    if !fig.note.is_empty() {
        root.draw(&plotters::element::Text::new(
            fig.note.clone(),
            (30, 44),
            ("sans-serif", 17).into_font().color(&RGBColor(70, 70, 70)),
        ))
        .map_err(e)?;
    }
    root.present().map_err(e)?;
    Ok(())
}

/// Pixel size of rendered figures.
pub const SIZE: (u32, u32) = (1000, 700);

/// Render `fig` to `<stem>.png` and `<stem>.svg`; returns both paths.
pub fn render(fig: &Figure, stem: &Path) -> Result<(PathBuf, PathBuf), PlotError> {
    register_font();
    let size = if fig.equal_aspect { (900, 900) } else { SIZE };
    let png = stem.with_extension("png");
    let svg = stem.with_extension("svg");
    let name = stem.display().to_string();
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
mod tests {
    use super::*;

    #[test]
    fn figure_roundtrips_through_json_and_renders() {
        let mut f = Figure::new("test", "k", "ω")
            .line("curve", vec![0.0, 1.0, 2.0], vec![0.0, 1.0, 4.0], "C0", false)
            .points("pts", vec![0.5], vec![0.25], "C1");
        f.x_ticks = vec![Tick { at: 0.0, label: "Γ".into() }, Tick { at: 2.0, label: "X".into() }];
        f.heatmap = Some(Heatmap {
            x: vec![0.0, 1.0, 2.0],
            y: vec![0.0, 2.0],
            z: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            log_scale: true,
            label: "S(k,ω)".into(),
        });
        let s = serde_json::to_string(&f).unwrap();
        let g: Figure = serde_json::from_str(&s).unwrap();
        assert_eq!(f, g);
        let dir = std::env::temp_dir().join(format!("ether-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (png, svg) = render(&g, &dir.join("fig")).unwrap();
        assert!(std::fs::metadata(&png).unwrap().len() > 1000);
        assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn nan_gaps_roundtrip() {
        let f = Figure::new("t", "x", "y").line("l", vec![0.0, 1.0, 2.0], vec![1.0, f64::NAN, 2.0], "C0", false);
        let g: Figure = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        match &g.layers[0] {
            Layer::Line { y, .. } => assert!(y[1].is_nan() && y[2] == 2.0),
            _ => panic!(),
        }
    }

    #[test]
    fn legend_wraps_into_rows() {
        let mut f = Figure::new("t", "x", "y");
        assert_eq!(legend_rows(&f, 1000), 0);
        f = f.line("a short label", vec![0.0], vec![0.0], "C0", false);
        assert_eq!(legend_rows(&f, 1000), 1);
        for i in 0..6 {
            f = f.line(&format!("a much longer legend label number {i}"), vec![0.0], vec![0.0], "C0", false);
        }
        assert!(legend_rows(&f, 1000) >= 3);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let bad = r#"{"title":"a","x_label":"b","y_label":"c","colour":"red"}"#;
        assert!(serde_json::from_str::<Figure>(bad).is_err());
    }
}
