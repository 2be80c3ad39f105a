//! Tests of the plot engine. Pictures are checked by their pixels: each figure is drawn into an
//! RGB buffer and the test looks for what must be there (a rotated title is taller than wide, an
//! error bar spans the pixels its value and error map to, nothing is drawn outside the axes).

use super::*;

const W: u32 = SIZE.0;
const H: u32 = SIZE.1;

/// Draw `fig` into an RGB buffer of the standard size.
fn pixels(fig: &Figure) -> Vec<u8> {
    register_font();
    let mut buf = vec![0u8; (W * H * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (W, H)).into_drawing_area();
        draw(root, fig).unwrap();
    }
    buf
}

fn px(buf: &[u8], x: i32, y: i32) -> (u8, u8, u8) {
    let i = ((y as u32 * W + x as u32) * 3) as usize;
    (buf[i], buf[i + 1], buf[i + 2])
}

/// Pixels within `tol` (per channel) of colour `c` inside the box `[x0, x1) x [y0, y1)`.
fn count(buf: &[u8], c: RGBColor, (x0, x1): (i32, i32), (y0, y1): (i32, i32), tol: i32) -> usize {
    let mut n = 0;
    for y in y0.max(0)..y1.min(H as i32) {
        for x in x0.max(0)..x1.min(W as i32) {
            let (r, g, b) = px(buf, x, y);
            if (r as i32 - c.0 as i32).abs() <= tol
                && (g as i32 - c.1 as i32).abs() <= tol
                && (b as i32 - c.2 as i32).abs() <= tol
            {
                n += 1;
            }
        }
    }
    n
}

/// Bounding box `(x0, x1, y0, y1)` of dark (text) pixels in a box, if any.
fn dark_box(buf: &[u8], (x0, x1): (i32, i32), (y0, y1): (i32, i32)) -> Option<(i32, i32, i32, i32)> {
    let mut bb: Option<(i32, i32, i32, i32)> = None;
    for y in y0..y1 {
        for x in x0..x1 {
            let (r, g, b) = px(buf, x, y);
            if (r as u32 + g as u32 + b as u32) < 200 {
                bb = Some(match bb {
                    None => (x, x, y, y),
                    Some((a, b2, c, d)) => (a.min(x), b2.max(x), c.min(y), d.max(y)),
                });
            }
        }
    }
    bb
}

/// The plot area in pixels of a figure, as the renderer lays it out.
fn plot_box(fig: &Figure) -> (std::ops::Range<i32>, std::ops::Range<i32>) {
    register_font();
    let mut buf = vec![0u8; (W * H * 3) as usize];
    let root = BitMapBackend::with_buffer(&mut buf, (W, H)).into_drawing_area();
    let (dx, dy) = fig.data_bounds();
    let (xr, yr) = (fig.x_range.unwrap_or(dx), fig.y_range.unwrap_or(dy));
    let yl = tick_labels(&nice_ticks(yr[0], yr[1], 8));
    let sc = fig.heatmap.as_ref().map(ColorScale::of);
    let lay = layout(fig, W as i32, &yl, sc.as_ref());
    let chart = ChartBuilder::on(&root)
        .margin_top(lay.top)
        .margin_left(PAD)
        .margin_right(lay.right)
        .margin_bottom(lay.bottom)
        .x_label_area_size(lay.x_area)
        .y_label_area_size(lay.y_area)
        .build_cartesian_2d(xr[0]..xr[1], yr[0]..yr[1])
        .unwrap();
    chart.plotting_area().get_pixel_range()
}

#[test]
fn figure_roundtrips_through_json_and_renders() {
    let mut f = Figure::new("test", "k", "ω")
        .line("curve", vec![0.0, 1.0, 2.0], vec![0.0, 1.0, 4.0], "C0", false)
        .points("pts", vec![0.5], vec![0.25], "C1")
        .error_bars("mc", vec![0.5, 1.5], vec![0.3, 2.0], vec![0.1, f64::NAN], "C2");
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
    // NaN does not equal itself: compare the JSON forms
    assert_eq!(s, serde_json::to_string(&g).unwrap());
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
        other => panic!("expected a line, got {other:?}"),
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
    assert!((3..=7).contains(&legend_rows(&f, 1000)), "{}", legend_rows(&f, 1000));
}

#[test]
fn unknown_keys_are_rejected() {
    let bad = r#"{"title":"a","x_label":"b","y_label":"c","colour":"red"}"#;
    assert!(serde_json::from_str::<Figure>(bad).is_err());
}

#[test]
fn heatmap_json_has_rows_shape_and_order_and_reads_either_form() {
    let h = Heatmap {
        x: vec![0.0, 1.0, 2.0],
        y: vec![10.0, 20.0],
        z: vec![1.0, 2.0, 3.0, 4.0, f64::NAN, 6.0],
        log_scale: false,
        label: "S [1/J]".into(),
    };
    let v = serde_json::to_value(&h).unwrap();
    assert_eq!(v["shape"], serde_json::json!([2, 3]));
    assert_eq!(v["z"], serde_json::json!([[1.0, 2.0, 3.0], [4.0, null, 6.0]]));
    assert_eq!(v["order"], HEATMAP_ORDER);
    let back: Heatmap = serde_json::from_value(v).unwrap();
    assert_eq!(back.z.len(), 6);
    assert!(back.z[4].is_nan() && back.z[5] == 6.0 && back.z[3] == 4.0);
    // a flat list in row-major order (the old form) is read too
    let flat = r#"{"x":[0,1,2],"y":[10,20],"z":[1,2,3,4,5,6]}"#;
    assert_eq!(serde_json::from_str::<Heatmap>(flat).unwrap().z, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    // rows of the wrong length, a flat list of the wrong size, a shape that disagrees: refused
    for bad in [
        r#"{"x":[0,1,2],"y":[10,20],"z":[[1,2],[3,4]]}"#,
        r#"{"x":[0,1,2],"y":[10,20],"z":[1,2,3,4,5]}"#,
        r#"{"x":[0,1,2],"y":[10,20],"shape":[3,2],"z":[1,2,3,4,5,6]}"#,
    ] {
        let e = serde_json::from_str::<Heatmap>(bad).unwrap_err().to_string();
        assert!(e.contains("heatmap"), "{e}");
    }
}

#[test]
fn check_refuses_inconsistent_figures_with_a_reason() {
    let ok = Figure::new("t", "x", "y").error_bars("e", vec![1.0, 2.0], vec![1.0, 2.0], vec![0.1, 0.2], "C0");
    assert!(ok.check().is_ok());
    let cases: Vec<(Figure, &str)> = vec![
        (
            Figure::new("t", "x", "y").line("l", vec![0.0, 1.0], vec![0.0], "C0", false),
            "y has 1 value but x has 2 values",
        ),
        (Figure::new("t", "x", "y").error_bars("e", vec![1.0], vec![1.0], vec![-0.1], "C0"), "negative"),
        (Figure::new("t", "x", "y").error_bars("e", vec![1.0], vec![1.0], vec![], "C0"), "y_err"),
        (Figure::new("t", "x", "y").points("p", vec![1.0], vec![1.0], "red"), "unknown colour 'red'"),
        (Figure { y_range: Some([1.0, 1.0]), ..Figure::new("t", "x", "y") }, "y_range"),
        (
            Figure {
                heatmap: Some(Heatmap {
                    x: vec![0.0, 1.0],
                    y: vec![0.0],
                    z: vec![1.0],
                    log_scale: false,
                    label: String::new(),
                }),
                ..Figure::new("t", "x", "y")
            },
            "z has 1 value,",
        ),
        (
            Figure {
                heatmap: Some(Heatmap {
                    x: vec![1.0, 0.0],
                    y: vec![0.0],
                    z: vec![1.0, 2.0],
                    log_scale: false,
                    label: String::new(),
                }),
                ..Figure::new("t", "x", "y")
            },
            "ascending",
        ),
    ];
    for (f, needle) in cases {
        let e = f.check().unwrap_err();
        assert!(e.contains(needle), "{e} should mention {needle}");
        let dir = std::env::temp_dir().join(format!("ether-plot-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(render(&f, &dir.join("bad")).is_err());
        assert!(!dir.join("bad.png").exists(), "nothing is written for a refused figure");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// Slow oracle for clipping: sample the segment densely and keep the samples inside.
fn clip_by_sampling(a: (f64, f64), b: (f64, f64), xr: [f64; 2], yr: [f64; 2]) -> Option<(f64, f64)> {
    let n = 20_000;
    let inside: Vec<f64> = (0..=n)
        .map(|i| i as f64 / n as f64)
        .filter(|t| {
            let (x, y) = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
            x >= xr[0] && x <= xr[1] && y >= yr[0] && y <= yr[1]
        })
        .collect();
    Some((*inside.first()?, *inside.last()?))
}

#[test]
fn clipping_agrees_with_dense_sampling() {
    // a fixed pseudo-random set of segments around the unit box
    let mut s = 0x9e3779b97f4a7c15u64;
    let mut r = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64 * 3.0 - 1.0
    };
    let (xr, yr) = ([0.0, 1.0], [0.0, 1.0]);
    for _ in 0..400 {
        let (a, b) = ((r(), r()), (r(), r()));
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let param = |p: (f64, f64)| {
            if (b.0 - a.0).abs() > (b.1 - a.1).abs() {
                (p.0 - a.0) / (b.0 - a.0)
            } else {
                (p.1 - a.1) / (b.1 - a.1)
            }
        };
        match (clip(a, b, xr, yr), clip_by_sampling(a, b, xr, yr)) {
            (Some((p, q)), Some((t0, t1))) => {
                let tol = 2.0 / 20_000.0 * len.max(1.0) / len.max(1e-9);
                assert!((param(p) - t0).abs() <= tol && (param(q) - t1).abs() <= tol, "{a:?} {b:?}");
            }
            // a segment that only grazes the box may be missed by the sampling
            (Some((p, q)), None) => assert!(((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt() < 1e-3 * len.max(1.0)),
            (None, Some((t0, t1))) => panic!("{a:?} {b:?} crosses the box over t in [{t0}, {t1}]"),
            (None, None) => {}
        }
    }
}

#[test]
fn the_y_title_is_rotated_along_the_axis_and_clear_of_the_tick_labels() {
    let f = Figure::new("t", "x", "a long y-axis title [units]").line("", vec![0.0, 1.0], vec![0.0, 1.0], "C0", false);
    let buf = pixels(&f);
    let (pxr, pyr) = plot_box(&f);
    // the strip left of the tick labels: only the title's glyphs are there
    let tick_w = tick_labels(&nice_ticks(-0.05, 1.05, 8)).iter().map(|l| text_size(l, font::TICK).0).max().unwrap();
    let strip = (PAD - 2, pxr.start - tick_w - 8);
    let (x0, x1, y0, y1) = dark_box(&buf, strip, (pyr.start, pyr.end)).expect("a y title");
    assert!(y1 - y0 > 4 * (x1 - x0), "rotated: {}x{} px", x1 - x0, y1 - y0);
    let mid = (y0 + y1) / 2;
    assert!((mid - (pyr.start + pyr.end) / 2).abs() <= 4, "centred on the axis");
}

#[test]
fn long_titles_wrap_above_the_plot_instead_of_running_off() {
    let long = "helicity-resolved spectrum of the symmetric-tensor rotor model on 12x12x12 with a Cotton term, z = 3";
    let f = Figure::new(long, "k", "ω").with_note("a note line that explains the figure").line(
        "",
        vec![0.0, 1.0],
        vec![0.0, 1.0],
        "C0",
        false,
    );
    let lay = layout(&f, W as i32, &tick_labels(&nice_ticks(-0.05, 1.05, 8)), None);
    assert_eq!(lay.title.len(), 2, "{:?}", lay.title);
    assert!(lay.title.iter().all(|l| text_size(l, lay.title_size).0 <= W as i32 - 2 * PAD));
    let buf = pixels(&f);
    let (_, pyr) = plot_box(&f);
    // text lies above the plot area only: the band just above it is blank
    assert!(dark_box(&buf, (0, W as i32), (pyr.start - 8, pyr.start - 1)).is_none());
    assert!(dark_box(&buf, (0, W as i32), (PAD, pyr.start - 10)).is_some());
}

#[test]
fn error_bars_span_the_pixels_of_value_plus_minus_error() {
    let f = Figure { y_range: Some([0.0, 4.0]), x_range: Some([0.0, 4.0]), ..Figure::new("t", "x", "y") }.error_bars(
        "",
        vec![1.0, 3.0],
        vec![2.0, 2.0],
        vec![1.0, f64::NAN],
        "#ff0000",
    );
    let buf = pixels(&f);
    let (pxr, pyr) = plot_box(&f);
    let to_x = |x: f64| pxr.start + ((x / 4.0) * (pxr.end - pxr.start - 1) as f64).round() as i32;
    let to_y = |y: f64| pyr.end - 1 - ((y / 4.0) * (pyr.end - pyr.start - 1) as f64).round() as i32;
    let red = RGBColor(255, 0, 0);
    // the first point's bar runs from y = 1 to y = 3, with caps, and no further
    let (xa, ylo, yhi) = (to_x(1.0), to_y(1.0), to_y(3.0));
    let run = count(&buf, red, (xa - 1, xa + 2), (yhi, ylo + 1), 40);
    assert!(run as i32 >= (ylo - yhi), "bar pixels {run} for {} px", ylo - yhi);
    assert_eq!(count(&buf, red, (xa - 2, xa + 3), (yhi - 12, yhi - 3), 40), 0, "nothing above the cap");
    assert!(count(&buf, red, (xa - 7, xa - 3), (yhi - 1, yhi + 2), 40) > 0, "a cap");
    // the second point (no error) is a marker alone
    let xb = to_x(3.0);
    assert!(count(&buf, red, (xb - 2, xb + 3), (to_y(2.0) - 2, to_y(2.0) + 3), 40) > 10);
    assert_eq!(count(&buf, red, (xb - 1, xb + 2), (to_y(3.0), to_y(2.0) - 8), 40), 0);
}

#[test]
fn nothing_is_drawn_outside_the_axes() {
    // a line and markers far outside a fixed range
    let f = Figure { y_range: Some([0.0, 1.0]), x_range: Some([0.0, 1.0]), ..Figure::new("", "", "") }
        .line("", vec![-1.0, 0.5, 2.0], vec![-5.0, 0.5, 9.0], "#ff0000", false)
        .points("", vec![5.0, -3.0], vec![0.5, 0.5], "#ff0000")
        .error_bars("", vec![0.5], vec![0.5], vec![10.0], "#ff0000");
    let buf = pixels(&f);
    let (pxr, pyr) = plot_box(&f);
    let red = RGBColor(255, 0, 0);
    let total = count(&buf, red, (0, W as i32), (0, H as i32), 60);
    let inner = count(&buf, red, (pxr.start - 1, pxr.end + 1), (pyr.start - 1, pyr.end + 1), 60);
    assert!(total > 100 && total == inner, "{total} red pixels, {inner} inside");
}

#[test]
fn heat_maps_get_a_colour_bar_with_numbers_and_a_title() {
    let nx = 40;
    let ny = 30;
    let z: Vec<f64> = (0..nx * ny).map(|i| (i / nx) as f64).collect();
    let f = Figure {
        heatmap: Some(Heatmap {
            x: (0..nx).map(|i| i as f64).collect(),
            y: (0..ny).map(|i| i as f64).collect(),
            z,
            log_scale: false,
            label: "intensity [arb. units]".into(),
        }),
        ..Figure::new("map", "x", "y")
    };
    let buf = pixels(&f);
    let (pxr, pyr) = plot_box(&f);
    let (bx0, bx1) = (pxr.end + CBAR_GAP, pxr.end + CBAR_GAP + CBAR_W);
    // the strip runs from the bottom colour to the top colour
    let mid = (bx0 + bx1) / 2;
    assert!(count(&buf, viridis(1.0), (mid - 2, mid + 2), (pyr.start + 14, pyr.start + 20), 6) > 0);
    assert!(count(&buf, viridis(0.0), (mid - 2, mid + 2), (pyr.end - 20, pyr.end - 14), 6) > 0);
    // numbers right of it, and the rotated title further right
    let right = dark_box(&buf, (bx1 + 6, W as i32 - 2), (pyr.start, pyr.end)).expect("labels");
    assert!(right.3 - right.2 > (pyr.end - pyr.start) / 2, "tick labels along the bar");
    let sc = ColorScale::of(f.heatmap.as_ref().unwrap());
    assert_eq!((sc.lo, sc.hi, sc.clipped_high), (0.0, 29.0, false));
    let labels: Vec<String> = sc.ticks().into_iter().map(|t| t.1).collect();
    assert_eq!(labels, ["0", "5", "10", "15", "20", "25"]);
}

#[test]
fn log_colour_scales_span_their_decades_and_mark_clipping() {
    let mut z: Vec<f64> = (0..1000).map(|i| 10f64.powf(-6.0 + 6.0 * i as f64 / 999.0)).collect();
    z.push(1e9); // one Bragg peak above the 99.5th percentile
    let h =
        Heatmap { x: (0..1001).map(|i| i as f64).collect(), y: vec![0.0], z, log_scale: true, label: String::new() };
    let sc = ColorScale::of(&h);
    assert!(sc.log && sc.clipped_high && sc.clipped_low);
    assert!((sc.hi / sc.lo - 1e3).abs() < 1e-6);
    let t = sc.ticks();
    assert!(t.len() >= 3 && t.iter().all(|(p, l)| (0.0..=1.0).contains(p) && l.starts_with("10")), "{t:?}");
    // monotone: larger values never get an earlier colour
    let mut last = -1.0;
    for v in [1e-9, sc.lo, sc.lo * 3.0, sc.hi * 0.5, sc.hi, 1e12] {
        let p = sc.t(v);
        assert!(p >= last && (0.0..=1.0).contains(&p));
        last = p;
    }
    assert!(sc.t(f64::NAN).is_nan());
}

#[test]
fn dashes_alternate_along_the_line() {
    let d = dashes(&[(0, 0), (100, 0)]);
    assert_eq!(d.len(), 6, "{d:?}"); // 0-12, 19-31, 38-50, 57-69, 76-88, 95-100
    assert_eq!(d[0], vec![(0, 0), (12, 0)]);
    assert_eq!(d[1], vec![(19, 0), (31, 0)]);
    assert_eq!(d[5], vec![(95, 0), (100, 0)]);
    // the pattern runs on across a corner
    let d = dashes(&[(0, 0), (6, 0), (6, 20)]);
    assert_eq!(d[0], vec![(0, 0), (6, 0), (6, 6)]);
}
