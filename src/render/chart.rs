//! Standings as a horizontal bar chart (PNG), sized for a phone screen.

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};
use plotters::backend::RGBPixel;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{ChartInput, RenderError, nfc};

/// DejaVu Sans covers every Vietnamese precomposed letter; embedded so the
/// host needs no fontconfig or installed fonts.
static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// Bold face of the same family, for the title and the scores.
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Picture width: under the 1280 px Telegram keeps for a photo's long side,
/// and wide enough that 30 px text stays legible once a phone shrinks it.
const WIDTH: u32 = 1080;
/// Shortest picture, so a bloc with two units still looks like a chart.
const MIN_HEIGHT: u32 = 600;
/// Outer margin on every side.
const PAD: i32 = 40;
/// Vertical space of one unit: its label line and its bar.
const ROW: i32 = 100;
/// Thickness of a bar.
const BAR: i32 = 36;
/// Where the first row starts, below title and subtitle.
const ROWS_TOP: i32 = 150;
/// Room right of a full bar for its score ("100,0").
const SCORE_ROOM: i32 = 110;
/// Left end of the 0..100 scale.
const X0: i32 = PAD;
/// Right end of the 0..100 scale.
const X1: i32 = WIDTH as i32 - PAD - SCORE_ROOM;
/// Most rows drawn: Telegram refuses photos whose width plus height exceeds
/// 10,000 px, and 80 rows stay well below that.
pub const MAX_ROWS: usize = 80;
/// Shown instead of bars when there is nothing to rank yet.
const NO_DATA: &str = "Chưa có dữ liệu";

// Text sizes in ab_glyph's pixel scale (ascent to descent; 1 em ≈ 0.86 of it).
const TITLE_SIZE: f32 = 44.0;
const SUBTITLE_SIZE: f32 = 30.0;
const LABEL_SIZE: f32 = 30.0;
const SCORE_SIZE: f32 = 30.0;
const TICK_SIZE: f32 = 24.0;

const INK: RGBColor = RGBColor(0x21, 0x21, 0x21);
const MUTED: RGBColor = RGBColor(0x5f, 0x63, 0x68);
const GRID: RGBColor = RGBColor(0xdd, 0xdf, 0xe3);
const BAND: RGBColor = RGBColor(0xf4, 0xf6, 0xf9);
const BAR_FILL: RGBColor = RGBColor(0x1f, 0x6f, 0xb2);

/// Renders the standings chart as PNG bytes.
///
/// CPU-bound: from async code call it inside `tokio::task::spawn_blocking`.
/// An empty `rows` gives a chart with a "no data" note; more than
/// [`MAX_ROWS`] rows is refused with [`RenderError::TooManyRows`].
/// The picture is 1080 px wide and 100 px taller per row: Telegram scales a
/// photo down so its long side fits its limit (1280 px, more in newer
/// versions), so a long chart is better sent as a document.
pub fn standings_png(c: &ChartInput) -> Result<Vec<u8>, RenderError> {
    if c.rows.len() > MAX_ROWS {
        return Err(RenderError::TooManyRows {
            rows: c.rows.len(),
            max: MAX_ROWS,
        });
    }
    let faces = Faces::load()?;
    let height = picture_height(c.rows.len());
    let mut rgb = vec![0u8; WIDTH as usize * height as usize * 3];
    draw(c, &faces, &mut rgb, height)?;
    encode_png(&rgb, WIDTH, height)
}

/// The embedded faces; parsing only reads table offsets, so it is cheap per call.
struct Faces {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

impl Faces {
    fn load() -> Result<Self, RenderError> {
        let face = |bytes| FontRef::try_from_slice(bytes).map_err(|_| RenderError::Font);
        Ok(Self {
            regular: face(REGULAR)?,
            bold: face(BOLD)?,
        })
    }

    fn regular(&self, size: f32) -> Pen<'_> {
        Pen {
            font: &self.regular,
            scale: PxScale::from(size),
        }
    }

    fn bold(&self, size: f32) -> Pen<'_> {
        Pen {
            font: &self.bold,
            scale: PxScale::from(size),
        }
    }
}

/// A face at a size: measures and draws one line of text.
///
/// plotters' own `ab_glyph` text drops each glyph's left side bearing and
/// rounds the pen per glyph, which spaces letters unevenly ("SNNM T"); this
/// places every glyph at its true sub-pixel position instead.
struct Pen<'f> {
    font: &'f FontRef<'static>,
    scale: PxScale,
}

impl Pen<'_> {
    /// Glyphs of `s` with their pen x offsets from the start of the line.
    fn layout(&self, s: &str) -> Vec<(GlyphId, f32)> {
        let sf = self.font.as_scaled(self.scale);
        let mut caret = 0.0;
        let mut prev: Option<GlyphId> = None;
        let mut out = Vec::with_capacity(s.len());
        for c in s.chars() {
            let id = sf.glyph_id(c);
            if let Some(p) = prev {
                caret += sf.kern(p, id);
            }
            out.push((id, caret));
            caret += sf.h_advance(id);
            prev = Some(id);
        }
        out
    }

    /// Advance width of `s` in pixels.
    fn width(&self, s: &str) -> i32 {
        let sf = self.font.as_scaled(self.scale);
        let end = self
            .layout(s)
            .last()
            .map_or(0.0, |&(id, x)| x + sf.h_advance(id));
        end.ceil() as i32
    }

    /// Draws `s` starting at `x` with its baseline at `baseline`.
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        s: &str,
        color: RGBColor,
        (x, baseline): (i32, i32),
    ) -> Result<(), RenderError> {
        for (id, dx) in self.layout(s) {
            let glyph =
                id.with_scale_and_position(self.scale, point(x as f32 + dx, baseline as f32));
            let Some(outline) = self.font.outline_glyph(glyph) else {
                continue; // spaces and missing glyphs have no outline
            };
            let bounds = outline.px_bounds();
            let mut pixels = Vec::new();
            outline.draw(|gx, gy, coverage| {
                if coverage > 0.0 {
                    pixels.push((gx, gy, coverage.min(1.0)));
                }
            });
            for (gx, gy, coverage) in pixels {
                let at = (
                    bounds.min.x as i32 + gx as i32,
                    bounds.min.y as i32 + gy as i32,
                );
                // The bitmap backend blends by alpha, which anti-aliases edges.
                area.draw_pixel(at, &color.mix(f64::from(coverage)))
                    .map_err(draw_err)?;
            }
        }
        Ok(())
    }
}

/// Height that fits `rows` rows plus the axis, never below [`MIN_HEIGHT`].
fn picture_height(rows: usize) -> u32 {
    // rows <= MAX_ROWS, so this cannot overflow.
    let needed = axis_y(rows) + 70;
    u32::try_from(needed).unwrap_or(MIN_HEIGHT).max(MIN_HEIGHT)
}

/// y of the x axis line below `rows` rows.
fn axis_y(rows: usize) -> i32 {
    ROWS_TOP + ROW * i32::try_from(rows).unwrap_or(0) + 4
}

/// Draws everything into `rgb` (WIDTH × height, 3 bytes a pixel).
fn draw(c: &ChartInput, faces: &Faces, rgb: &mut [u8], height: u32) -> Result<(), RenderError> {
    let backend = BitMapBackend::<RGBPixel>::with_buffer_and_format(rgb, (WIDTH, height))
        .map_err(|e| RenderError::Draw(e.to_string()))?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(draw_err)?;

    let text_width = WIDTH as i32 - 2 * PAD;
    let title = faces.bold(TITLE_SIZE);
    let title_text = fit(&nfc(&c.title), "", &title, text_width);
    title.draw(&root, &title_text, INK, (PAD, 76))?;
    let subtitle = faces.regular(SUBTITLE_SIZE);
    let subtitle_text = fit(&nfc(&c.subtitle), "", &subtitle, text_width);
    subtitle.draw(&root, &subtitle_text, MUTED, (PAD, 120))?;

    if c.rows.is_empty() {
        let note = faces.regular(LABEL_SIZE);
        let x = (WIDTH as i32 - note.width(NO_DATA)) / 2;
        let y = (ROWS_TOP + height as i32) / 2;
        note.draw(&root, NO_DATA, MUTED, (x, y))?;
        return root.present().map_err(draw_err);
    }

    let n = c.rows.len();
    let axis = axis_y(n);
    // Light bands on every other row help the eye from a label to its bar on a
    // small screen; drawn first so that everything else sits on top.
    for i in (1..n).step_by(2) {
        let top = row_top(i);
        fill(
            &root,
            (PAD - 12, top),
            (WIDTH as i32 - PAD + 12, top + ROW),
            BAND,
        )?;
    }
    let tick = faces.regular(TICK_SIZE);
    for v in (0..=100).step_by(20) {
        let x = scale_x(f64::from(v));
        fill(&root, (x, ROWS_TOP - 6), (x + 1, axis), GRID)?;
        let label = v.to_string();
        tick.draw(
            &root,
            &label,
            MUTED,
            (x - tick.width(&label) / 2, axis + 36),
        )?;
    }
    fill(&root, (X0, axis - 2), (X1 + 1, axis), MUTED)?;

    let label_pen = faces.regular(LABEL_SIZE);
    let score_pen = faces.bold(SCORE_SIZE);
    for (i, row) in c.rows.iter().enumerate() {
        let top = row_top(i);
        let prefix = format!("{} — ", nfc(&row.code));
        let label = fit(&nfc(&row.name), &prefix, &label_pen, text_width);
        label_pen.draw(&root, &label, INK, (PAD, top + 34))?;

        let bar_top = top + 48;
        let end = scale_x(row.score);
        if end > X0 {
            fill(&root, (X0, bar_top), (end, bar_top + BAR), BAR_FILL)?;
        }
        // Digits stand ~0.63 of the pixel scale tall: half of that below the
        // bar's middle centres them on it.
        let baseline = bar_top + BAR / 2 + (SCORE_SIZE * 0.31).round() as i32;
        score_pen.draw(&root, &score_text(row.score), INK, (end + 12, baseline))?;
    }
    root.present().map_err(draw_err)
}

/// Top y of row `i`.
fn row_top(i: usize) -> i32 {
    ROWS_TOP + ROW * i32::try_from(i).unwrap_or(0)
}

/// x of a score on the 0..100 scale; out-of-range and NaN scores are pinned
/// to the ends so a bad value cannot draw outside the chart.
fn scale_x(score: f64) -> i32 {
    let s = if score.is_nan() {
        0.0
    } else {
        score.clamp(0.0, 100.0)
    };
    X0 + (s / 100.0 * f64::from(X1 - X0)).round() as i32
}

/// Score with one decimal and a decimal comma, as Vietnamese write it: `92,4`.
fn score_text(score: f64) -> String {
    if score.is_finite() {
        // Halves round away from zero (81,25 → 81,3) as people and Excel do;
        // `{:.1}` alone would round them to even and disagree with the workbook.
        // Adding 0.0 turns -0.0 into 0.0, so -0.04 does not print as "-0,0".
        let rounded = (score * 10.0).round() / 10.0 + 0.0;
        format!("{rounded:.1}").replace('.', ",")
    } else {
        "–".to_string()
    }
}

/// `prefix` + `body`, with the body cut and ended with "…" so the whole fits
/// in `max_width` px.
fn fit(body: &str, prefix: &str, pen: &Pen<'_>, max_width: i32) -> String {
    let whole = format!("{prefix}{body}");
    if pen.width(&whole) <= max_width {
        return whole;
    }
    // No line here holds 150 characters, and the bound keeps this loop cheap
    // for a pathological name.
    let chars: Vec<char> = body.chars().take(150).collect();
    for keep in (0..=chars.len()).rev() {
        let cut: String = chars[..keep].iter().collect();
        let candidate = format!("{prefix}{}…", cut.trim_end());
        if pen.width(&candidate) <= max_width {
            return candidate;
        }
    }
    if prefix.is_empty() {
        "…".to_string()
    } else {
        // Even the code alone is too wide: cut the whole label instead.
        fit(&whole, "", pen, max_width)
    }
}

/// Fills the rectangle from `a` (top-left) to `b` (bottom-right).
fn fill<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    color: RGBColor,
) -> Result<(), RenderError> {
    area.draw(&Rectangle::new([a, b], color.filled()))
        .map_err(draw_err)
}

/// plotters' error types borrow the backend's; keep only the message.
fn draw_err<E: std::fmt::Display>(e: E) -> RenderError {
    RenderError::Draw(e.to_string())
}

/// Encodes a WIDTH × height RGB buffer as PNG.
fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, RenderError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // Flat colours compress well even at the fast setting, and the bot
        // renders on demand, so speed wins over the last few kilobytes.
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::render::ChartRow;

    const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

    fn sample(rows: usize) -> ChartInput {
        let units = [
            ("SKHĐT", "Sở Kế hoạch và Đầu tư", 92.4),
            ("STC", "Sở Tài chính", 90.05),
            ("SCT", "Sở Công Thương", 88.7),
            ("SNNMT", "Sở Nông nghiệp và Môi trường", 85.0),
            ("SXD", "Sở Xây dựng", 81.25),
            ("SKHCN", "Sở Khoa học và Công nghệ", 79.9),
            ("CTK", "Chi cục Thống kê tỉnh", 74.3),
            (
                "BQLKKT",
                "Ban Quản lý các Khu kinh tế, khu công nghiệp và khu chế xuất tỉnh",
                70.0,
            ),
            ("KBNN", "Kho bạc Nhà nước khu vực XIV", 66.6),
            (
                "THUẾ",
                "Thuế tỉnh — Phòng Quản lý hộ kinh doanh, cá nhân và thu khác",
                58.2,
            ),
            ("NHNN", "Ngân hàng Nhà nước chi nhánh tỉnh", 41.0),
        ];
        ChartInput {
            title: "Khối thi đua kinh tế, kỹ thuật".into(),
            subtitle: "Xếp hạng sơ kết 6 tháng 2026 — 16/07/2026".into(),
            rows: units
                .iter()
                .cycle()
                .take(rows)
                .map(|(code, name, score)| ChartRow {
                    code: (*code).into(),
                    name: (*name).into(),
                    score: *score,
                })
                .collect(),
        }
    }

    /// Decodes a PNG and returns (width, height, RGB bytes).
    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    fn distinct_colours(rgb: &[u8]) -> usize {
        let mut seen: Vec<[u8; 3]> = rgb.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }

    #[test]
    fn eleven_units_with_vietnamese_names_make_a_valid_png() {
        let bytes = standings_png(&sample(11)).unwrap();
        assert_eq!(bytes[..8], PNG_SIGNATURE);
        let (w, h, rgb) = decode(&bytes);
        assert!(w >= 1080, "width {w}");
        assert!(h >= 600, "height {h}");
        assert!(distinct_colours(&rgb) > 1);
        // Kept for a human look at the layout and the diacritics.
        std::fs::write("/tmp/thidua-chart.png", &bytes).unwrap();
    }

    #[test]
    fn empty_standings_still_make_a_valid_png() {
        let bytes = standings_png(&sample(0)).unwrap();
        assert_eq!(bytes[..8], PNG_SIGNATURE);
        std::fs::write("/tmp/thidua-chart-empty.png", &bytes).unwrap();
        let (w, h, rgb) = decode(&bytes);
        assert_eq!((w, h), (WIDTH, MIN_HEIGHT));
        assert!(distinct_colours(&rgb) > 1);
    }

    #[test]
    fn height_grows_with_the_number_of_rows() {
        let (_, h11, _) = decode(&standings_png(&sample(11)).unwrap());
        let (_, h30, _) = decode(&standings_png(&sample(30)).unwrap());
        assert!(h30 > h11);
        assert!(WIDTH + h30 <= 10_000);
        assert!(WIDTH + picture_height(MAX_ROWS) <= 10_000);
    }

    #[test]
    fn odd_scores_and_empty_strings_do_not_panic() {
        let input = ChartInput {
            title: String::new(),
            subtitle: String::new(),
            rows: [f64::NAN, f64::INFINITY, -5.0, 0.0, 100.0, 250.0]
                .into_iter()
                .map(|score| ChartRow {
                    code: String::new(),
                    name: String::new(),
                    score,
                })
                .collect(),
        };
        let bytes = standings_png(&input).unwrap();
        assert_eq!(bytes[..8], PNG_SIGNATURE);
    }

    #[test]
    fn embedded_faces_cover_every_vietnamese_letter() {
        let faces = Faces::load().unwrap();
        let letters = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợ\
                       pqrstuùủũúụưừửữứựvxyỳỷỹýỵ—…–";
        for face in [&faces.regular, &faces.bold] {
            for c in letters.chars().chain(letters.to_uppercase().chars()) {
                assert_ne!(face.glyph_id(c).0, 0, "no glyph for {c:?}");
            }
        }
    }

    #[test]
    fn decomposed_input_draws_like_precomposed() {
        use unicode_normalization::UnicodeNormalization;
        let nfc_input = sample(3);
        let mut nfd_input = nfc_input.clone();
        nfd_input.title = nfd_input.title.nfd().collect();
        for row in &mut nfd_input.rows {
            row.name = row.name.nfd().collect();
        }
        assert_ne!(nfd_input.title, nfc_input.title);
        assert_eq!(
            standings_png(&nfd_input).unwrap(),
            standings_png(&nfc_input).unwrap()
        );
    }

    #[test]
    fn too_many_rows_are_refused() {
        let err = standings_png(&sample(MAX_ROWS + 1)).unwrap_err();
        assert!(matches!(err, RenderError::TooManyRows { .. }));
    }

    #[test]
    fn scores_use_a_decimal_comma() {
        assert_eq!(score_text(92.4), "92,4");
        assert_eq!(score_text(100.0), "100,0");
        assert_eq!(score_text(81.25), "81,3");
        assert_eq!(score_text(0.0), "0,0");
        assert_eq!(score_text(-0.04), "0,0");
        assert_eq!(score_text(-5.0), "-5,0");
        assert_eq!(score_text(f64::NAN), "–");
    }

    #[test]
    fn long_names_are_cut_with_an_ellipsis() {
        let faces = Faces::load().unwrap();
        let pen = faces.regular(LABEL_SIZE);
        let long = "Ban Quản lý các Khu kinh tế, khu công nghiệp và khu chế xuất tỉnh".repeat(3);
        let label = fit(&long, "BQL — ", &pen, 600);
        assert!(label.starts_with("BQL — Ban"));
        assert!(label.ends_with('…'));
        assert!(pen.width(&label) <= 600);
        assert_eq!(fit("Sở Xây dựng", "SXD — ", &pen, 600), "SXD — Sở Xây dựng");
        let code = "X".repeat(100);
        let label = fit("Sở Xây dựng", &format!("{code} — "), &pen, 600);
        assert!(label.starts_with("XXX") && label.ends_with('…'));
        assert!(pen.width(&label) <= 600);
    }
}
