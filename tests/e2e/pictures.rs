//! /chart and /export: what directors and the secretariat receive.

use crate::support::*;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use std::io::Cursor;

async fn reported() -> Bot {
    let mut b = Bot::with_units(3).await;
    b.add_targets().await;
    b.join("U0", &head(0)).await;
    b.join("U1", &head(1)).await;
    b.private(&head(0), "/report TSVM có").await;
    b.private(&head(0), "/report THU 60,9").await;
    b.private(&head(1), "/report THU 100").await;
    b.private(&head(1), "/register TTLDXS").await;
    b
}

fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let decoder = png::Decoder::new(Cursor::new(bytes.to_vec()));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[tokio::test]
async fn chart_sends_a_legible_png_of_the_standings() {
    let mut b = reported().await;
    let r = b.group(&outsider(), "/chart mid").await;
    let photo = r
        .iter()
        .find(|c| c.method == "sendPhoto")
        .expect("sendPhoto");
    assert_eq!(photo.chat_id(), Some(GROUP));
    assert!(
        photo.body["caption"]
            .as_str()
            .is_some_and(|c| c.contains("sơ kết 6 tháng 2026")),
        "{:?}",
        photo.body
    );
    let file = photo
        .files
        .iter()
        .find(|f| f.field == "photo")
        .unwrap_or_else(|| panic!("photo file: {:?} {:?}", photo.body, photo.files.len()));
    let (w, h, pixels) = decode_png(&file.bytes);
    assert!(w >= 1080 && h > 0, "{w}x{h}");
    let first = &pixels[..3];
    assert!(pixels.chunks(3).any(|p| p != first), "more than one colour");
}

#[tokio::test]
async fn chart_is_refused_to_outsiders_in_private_and_on_bad_arguments() {
    let mut b = reported().await;
    b.refused(&outsider(), false, "/chart", "chưa thuộc khối")
        .await;
    b.refused(&admin(), true, "/chart soon", "Kỳ").await;
    let r = b.private(&head(0), "/chart final").await;
    assert!(
        r.iter().any(|c| c.method == "sendPhoto"),
        "a member may ask in private"
    );
}

#[tokio::test]
async fn export_sends_a_workbook_matching_the_standings() {
    let mut b = reported().await;
    let standings = only_text(&b.group(&admin(), "/standings mid").await);
    let r = b.private(&admin(), "/export").await;
    let doc = r
        .iter()
        .find(|c| c.method == "sendDocument")
        .expect("sendDocument");
    let file = doc
        .files
        .iter()
        .find(|f| f.field == "document")
        .expect("document file");
    assert_eq!(file.file_name, "thidua-khoi-thi-dua-kinh-te-2026.xlsx");
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(file.bytes.clone())).expect("xlsx opens");
    assert_eq!(
        wb.sheet_names(),
        vec![
            "Xếp hạng sơ kết",
            "Xếp hạng tổng kết",
            "Giao ước",
            "Danh hiệu",
            "Bỏ phiếu",
            "Đề nghị",
            "Nhật ký"
        ]
    );
    let ranking = wb
        .worksheet_range("Xếp hạng sơ kết")
        .expect("ranking sheet");
    let rows: Vec<Vec<Data>> = ranking.rows().map(<[Data]>::to_vec).collect();
    assert!(
        matches!(&rows[0][0], Data::String(s) if !s.is_empty()),
        "header row"
    );
    // Rows follow /standings: code and score; U2 reported nothing and is
    // listed without a score.
    for (i, (code, score)) in standings_rows(&standings).iter().enumerate() {
        let row = &rows[i + 1];
        assert!(
            row.iter()
                .any(|c| matches!(c, Data::String(s) if s == code)),
            "row {i}: {row:?}"
        );
        let want: f64 = score.replace(',', ".").parse().expect("score");
        if code == "U2" {
            assert_eq!(rows[i + 1][0], Data::String("chưa xếp hạng".into()));
            assert_eq!(rows[i + 1][3], Data::Empty);
            continue;
        }
        assert!(
            row.iter()
                .any(|c| matches!(c, Data::Float(f) if (f - want).abs() < 0.051)),
            "row {i} score {want}: {row:?}"
        );
    }
    let titles = wb.worksheet_range("Danh hiệu").expect("titles sheet");
    assert!(titles.rows().any(|r| {
        r.iter()
            .any(|c| matches!(c, Data::String(s) if s == "TTLDXS"))
    }));
    let log = wb.worksheet_range("Nhật ký").expect("log sheet");
    assert!(log.rows().count() > 10, "the audit log is exported");
    let pledges = wb.worksheet_range("Giao ước").expect("pledge sheet");
    assert_eq!(
        pledges.rows().count(),
        1 + 3 * 2,
        "header + 3 units × 2 targets"
    );
}

#[tokio::test]
async fn export_is_for_bloc_admins_only() {
    let mut b = reported().await;
    b.refused(&head(0), false, "/export", "quản trị khối").await;
    b.refused(&outsider(), true, "/export", "quản trị khối")
        .await;
    b.refused(&admin(), false, "/export 1999", "Năm").await;
    b.refused(&admin(), false, "/export 2026 more", "thiếu")
        .await;
}
