//! Reading an uploaded photo: what it is, what its EXIF says, and a copy
//! without metadata to store and serve.
//!
//! * **Type** comes from the bytes (`infer`'s magic numbers), never from the
//!   client's Content-Type or file name. JPEG, PNG, HEIC and WebP pass;
//!   anything else is [`PhotoError::UnsupportedType`].
//! * **Evidence**: `DateTimeOriginal` (else `DateTime`) and the GPS position
//!   are read with `kamadak-exif` into [`PhotoEvidence`], to be kept in the
//!   photo's record.
//! * **Stripping** removes metadata without re-encoding a pixel: the image
//!   data is copied byte for byte, only metadata containers are dropped.
//!   What is kept is an allow-list of what decoding needs (tables, frame and
//!   scan headers, ICC colour profiles, image chunks); everything else goes:
//!   EXIF, XMP, IPTC, comments, text chunks, unknown segments and anything
//!   after the end of the image (e.g. the extra pictures of a multi-picture
//!   JPEG, which carry their own EXIF). A JPEG's EXIF orientation is written
//!   back as a fresh EXIF block holding only `Orientation`, so phone photos
//!   are not served sideways.
//! * **HEIC** has no well-kept crate that removes metadata, and its item
//!   data is addressed by absolute file offsets, so nothing can be cut out
//!   without rewriting the tables. We overwrite in place instead (the file
//!   keeps its length and every offset stays valid): each `Exif` item
//!   becomes an empty EXIF block, each `mime` item (XMP) an empty XMP packet
//!   and each `uri ` item zeros, and boxes we do not know at the top level or
//!   in `meta` are turned into `free` boxes with zeroed contents. The parser
//!   fails closed: a layout it cannot blank with certainty (items built from
//!   other items, data in another file, old item-info versions, image
//!   sequences) is refused as unsupported rather than served with its
//!   location.
//! * **Safety net**: the stripped bytes are read once more with the EXIF
//!   reader; if anything but `Orientation` is left, the photo is refused.
//!
//! A file whose magic says image but whose container cannot be walked
//! (truncated, no end marker, chunks overrunning) is
//! [`PhotoError::Corrupt`]. Pixels are not decoded, so a file with a
//! sound structure and broken compressed data still passes.

use std::io::Cursor;

use chrono::{NaiveDate, NaiveDateTime};
use exif::{In, Tag, Value};
use gridops_domain::photo::{MediaType, PhotoEvidence, PhotoLimits};
use img_parts::riff::RiffContent;
use img_parts::{Bytes, jpeg, png, webp};

use super::sha256_hex;

/// An upload that passed: its type, its evidence and the bytes to store.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectedPhoto {
    pub media_type: MediaType,
    /// Content address of `stripped`: lowercase hex SHA-256.
    pub key: String,
    /// The photo without metadata: what is stored and served.
    pub stripped: Vec<u8>,
    /// What the EXIF of the upload said; empty when it said nothing.
    pub evidence: PhotoEvidence,
    /// Lowercase hex SHA-256 of the upload as received, for the record.
    pub original_sha256: String,
}

/// Why an upload was refused: the kind of refusal, for the API to answer
/// as it sees fit (`api/src/error/mapping.rs`). Nothing is stored for any of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("a photo may be at most {max} bytes")]
    TooLarge { max: usize },
    #[error("the photo is empty")]
    Empty,
    #[error(
        "not a JPEG, PNG, HEIC or WebP image{}",
        .detected.as_ref().map(|d| format!(" (found {d})")).unwrap_or_default()
    )]
    UnsupportedType { detected: Option<String> },
    #[error("the photo cannot be read: {0}")]
    Corrupt(String),
}

fn corrupt(what: &str) -> impl Fn(img_parts::Error) -> PhotoError + '_ {
    move |e| PhotoError::Corrupt(format!("{what}: {e}"))
}

/// Checks an upload and prepares it for storage: see the module docs.
pub fn inspect(bytes: &[u8], limits: &PhotoLimits) -> Result<InspectedPhoto, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(PhotoError::TooLarge {
            max: limits.max_bytes,
        });
    }
    let media_type = sniff(bytes)?;
    let exif = read_exif(bytes);
    let stripped = match media_type {
        MediaType::Jpeg => strip_jpeg(bytes, orientation(exif.as_ref()))?,
        MediaType::Png => strip_png(bytes)?,
        MediaType::Webp => strip_webp(bytes)?,
        MediaType::Heic => heif::strip(bytes)?,
    };
    if metadata_left(&stripped) {
        return Err(PhotoError::UnsupportedType {
            detected: Some(format!(
                "{} whose metadata cannot be removed",
                media_type.mime()
            )),
        });
    }
    Ok(InspectedPhoto {
        media_type,
        key: sha256_hex(&stripped),
        evidence: exif.as_ref().map(evidence_from).unwrap_or_default(),
        original_sha256: sha256_hex(bytes),
        stripped,
    })
}

fn sniff(bytes: &[u8]) -> Result<MediaType, PhotoError> {
    let kind = infer::get(bytes);
    match kind.map(|k| k.mime_type()) {
        Some("image/jpeg") => Ok(MediaType::Jpeg),
        Some("image/png") => Ok(MediaType::Png),
        Some("image/webp") => Ok(MediaType::Webp),
        Some("image/heif") => Ok(MediaType::Heic),
        other => Err(PhotoError::UnsupportedType {
            detected: other.map(str::to_owned),
        }),
    }
}

// ---------------------------------------------------------------- EXIF

/// The EXIF of any container kamadak-exif reads, keeping what parsed when
/// part of it is broken; `None` when there is none or it is unreadable
/// (a photo without usable EXIF is still a photo).
fn read_exif(bytes: &[u8]) -> Option<exif::Exif> {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    reader
        .read_from_container(&mut Cursor::new(bytes))
        .or_else(|e| e.distill_partial_result(|_| {}))
        .ok()
}

/// Whether `bytes` still carry any EXIF field other than `Orientation`.
fn metadata_left(bytes: &[u8]) -> bool {
    read_exif(bytes).is_some_and(|exif| exif.fields().any(|f| f.tag != Tag::Orientation))
}

fn orientation(exif: Option<&exif::Exif>) -> Option<u16> {
    let value = exif?
        .get_field(Tag::Orientation, In::PRIMARY)?
        .value
        .get_uint(0)?;
    // 1 is the default; anything outside 1..=8 is meaningless.
    u16::try_from(value).ok().filter(|o| (2..=8).contains(o))
}

fn ascii(exif: &exif::Exif, tag: Tag) -> Option<&[u8]> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Ascii(v) => v.first().map(Vec::as_slice),
        _ => None,
    }
}

fn evidence_from(exif: &exif::Exif) -> PhotoEvidence {
    let taken_at = date_time(
        exif,
        Tag::DateTimeOriginal,
        Tag::SubSecTimeOriginal,
        Tag::OffsetTimeOriginal,
    )
    .or_else(|| date_time(exif, Tag::DateTime, Tag::SubSecTime, Tag::OffsetTime));
    let (lat, lng) = match position(exif) {
        Some((lat, lng)) => (Some(lat), Some(lng)),
        None => (None, None),
    };
    PhotoEvidence { taken_at, lat, lng }
}

/// Cameras write local time. When the photo says its offset (EXIF 2.31
/// `OffsetTime*`) it is used; when it does not, the phone is taken to be on
/// China Standard Time (UTC+8), where gridops works. The result is UTC.
const ASSUMED_OFFSET_MINUTES: i64 = 8 * 60;

fn date_time(exif: &exif::Exif, tag: Tag, subsec: Tag, offset: Tag) -> Option<NaiveDateTime> {
    let mut dt = exif::DateTime::from_ascii(ascii(exif, tag)?).ok()?;
    if let Some(s) = ascii(exif, subsec) {
        // A malformed sub-second part only loses precision.
        let _ = dt.parse_subsec(s);
    }
    if let Some(s) = ascii(exif, offset) {
        // A malformed offset falls back to the assumed one.
        let _ = dt.parse_offset(s);
    }
    let local = NaiveDate::from_ymd_opt(dt.year.into(), dt.month.into(), dt.day.into())?
        .and_hms_nano_opt(
            dt.hour.into(),
            dt.minute.into(),
            dt.second.into(),
            dt.nanosecond.unwrap_or(0),
        )?;
    let minutes = dt.offset.map_or(ASSUMED_OFFSET_MINUTES, i64::from);
    Some(local - chrono::Duration::minutes(minutes))
}

/// Signed decimal degrees from GPSLatitude/Longitude and their refs; `None`
/// unless both are present, well-formed and in range, or when the receiver
/// said the fix was void (`GPSStatus` = `V`).
fn position(exif: &exif::Exif) -> Option<(f64, f64)> {
    if ascii(exif, Tag::GPSStatus).is_some_and(|s| s.first() == Some(&b'V')) {
        return None;
    }
    let lat = degrees(exif, Tag::GPSLatitude)?
        * match ascii(exif, Tag::GPSLatitudeRef)?.first()? {
            b'N' | b'n' => 1.0,
            b'S' | b's' => -1.0,
            _ => return None,
        };
    let lng = degrees(exif, Tag::GPSLongitude)?
        * match ascii(exif, Tag::GPSLongitudeRef)?.first()? {
            b'E' | b'e' => 1.0,
            b'W' | b'w' => -1.0,
            _ => return None,
        };
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng)).then_some((lat, lng))
}

/// Degrees, minutes, seconds (rationals) as decimal degrees.
fn degrees(exif: &exif::Exif, tag: Tag) -> Option<f64> {
    let Value::Rational(parts) = &exif.get_field(tag, In::PRIMARY)?.value else {
        return None;
    };
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|r| r.denom == 0) {
        return None;
    }
    let value = parts
        .iter()
        .zip([1.0, 60.0, 3600.0])
        .map(|(r, scale)| r.to_f64() / scale)
        .sum::<f64>();
    value.is_finite().then_some(value)
}

// ---------------------------------------------------------------- JPEG

/// A fresh EXIF block (TIFF) holding only `Orientation`.
fn orientation_exif(orientation: u16) -> Option<Vec<u8>> {
    let field = exif::Field {
        tag: Tag::Orientation,
        ifd_num: In::PRIMARY,
        value: Value::Short(vec![orientation]),
    };
    let mut writer = exif::experimental::Writer::new();
    writer.push_field(&field);
    let mut out = Cursor::new(Vec::new());
    writer.write(&mut out, false).ok()?;
    Some(out.into_inner())
}

fn push_segment(out: &mut Vec<u8>, marker: u8, contents: &[u8]) -> Result<(), PhotoError> {
    let len = u16::try_from(contents.len() + 2)
        .map_err(|_| PhotoError::Corrupt("JPEG segment too long".into()))?;
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(contents);
    Ok(())
}

fn strip_jpeg(bytes: &[u8], orientation: Option<u16>) -> Result<Vec<u8>, PhotoError> {
    use jpeg::markers::*;

    let parsed = jpeg::Jpeg::from_bytes(Bytes::copy_from_slice(bytes)).map_err(corrupt("JPEG"))?;
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, SOI]);
    let mut seen_frame = false;
    let mut orientation_written = orientation.is_none();
    let mut entropy = None;
    for segment in parsed.segments() {
        let marker = segment.marker();
        let contents = segment.contents();
        // The orientation block goes after a leading JFIF APP0, else first.
        if !orientation_written && marker != APP0 {
            if let Some(tiff) = orientation.and_then(orientation_exif) {
                push_segment(&mut out, APP1, &[b"Exif\0\0".as_slice(), &tiff].concat())?;
            }
            orientation_written = true;
        }
        let keep = match marker {
            APP0 => contents.starts_with(b"JFIF\0"),
            APP2 => contents.starts_with(b"ICC_PROFILE\0"),
            APP14 => contents.starts_with(b"Adobe"),
            APP1 | APP3..=APP13 | APP15 | COM => false,
            m if is_frame(m) => {
                seen_frame = true;
                true
            }
            SOS if !seen_frame => {
                return Err(PhotoError::Corrupt(
                    "JPEG scan before its frame header".into(),
                ));
            }
            _ => true,
        };
        if keep {
            push_segment(&mut out, marker, contents)?;
        }
        if segment.has_entropy() {
            // The SOS segment's entropy is the rest of the file.
            let len = segment.len_with_entropy() - segment.len();
            entropy = Some(&bytes[bytes.len() - len..]);
        }
    }
    let entropy = entropy.ok_or_else(|| PhotoError::Corrupt("JPEG without image data".into()))?;
    copy_scans(entropy, &mut out)?;
    Ok(out)
}

fn is_frame(marker: u8) -> bool {
    use jpeg::markers::*;
    matches!(marker, SOF0..=SOF3 | SOF5..=SOF7 | SOF9..=SOF11 | SOF13..=SOF15)
}

/// Copies the compressed data after the first scan header up to and
/// including the end-of-image marker, keeping the table and scan headers of
/// later scans (progressive JPEG) and dropping any metadata segment between
/// them. Whatever follows EOI is dropped. No EOI means a truncated file.
fn copy_scans(data: &[u8], out: &mut Vec<u8>) -> Result<(), PhotoError> {
    use jpeg::markers::*;

    let mut i = 0;
    let mut run = 0; // start of the bytes not yet copied
    while i < data.len() {
        if data[i] != 0xFF {
            i += 1;
            continue;
        }
        let Some(&marker) = data.get(i + 1) else {
            break;
        };
        match marker {
            // Stuffed 0xFF, restart markers, fill bytes.
            0x00 | RST0..=RST7 | 0xFF => i += if marker == 0xFF { 1 } else { 2 },
            EOI => {
                out.extend_from_slice(&data[run..i + 2]);
                return Ok(());
            }
            SOI | 0x01..=0xBF => {
                return Err(PhotoError::Corrupt(format!(
                    "JPEG data holds a stray marker 0x{marker:02X}"
                )));
            }
            _ => {
                let len = data
                    .get(i + 2..i + 4)
                    .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
                    .filter(|&len| len >= 2 && i + 2 + len <= data.len())
                    .ok_or_else(|| PhotoError::Corrupt("JPEG segment overruns the file".into()))?;
                let end = i + 2 + len;
                if matches!(marker, APP0..=APP15 | COM) {
                    out.extend_from_slice(&data[run..i]);
                    run = end;
                }
                i = end;
            }
        }
    }
    Err(PhotoError::Corrupt(
        "JPEG ends before its end-of-image marker".into(),
    ))
}

// ---------------------------------------------------------------- PNG

fn strip_png(bytes: &[u8]) -> Result<Vec<u8>, PhotoError> {
    // What decoding and colour need, and animation (APNG). Text (tEXt, zTXt,
    // iTXt, which hold XMP), eXIf, tIME and unknown ancillary chunks go.
    const KEEP: [&[u8; 4]; 16] = [
        b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
        b"cICP", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
    ];
    let mut parsed = png::Png::from_bytes(Bytes::copy_from_slice(bytes)).map_err(corrupt("PNG"))?;
    let chunks = parsed.chunks();
    let kind_at = |i: Option<&png::PngChunk>| i.map(png::PngChunk::kind);
    if kind_at(chunks.first()) != Some(*b"IHDR") {
        return Err(PhotoError::Corrupt("PNG does not start with IHDR".into()));
    }
    if kind_at(chunks.last()) != Some(*b"IEND") {
        return Err(PhotoError::Corrupt("PNG ends before IEND".into()));
    }
    if !chunks.iter().any(|c| c.kind() == *b"IDAT") {
        return Err(PhotoError::Corrupt("PNG without image data".into()));
    }
    if let Some(c) = chunks
        .iter()
        .find(|c| c.kind()[0].is_ascii_uppercase() && !KEEP.contains(&&c.kind()))
    {
        return Err(PhotoError::Corrupt(format!(
            "PNG holds an unknown critical chunk {:?}",
            String::from_utf8_lossy(&c.kind())
        )));
    }
    parsed.chunks_mut().retain(|c| KEEP.contains(&&c.kind()));
    Ok(parsed.encoder().bytes().to_vec())
}

// ---------------------------------------------------------------- WebP

fn strip_webp(bytes: &[u8]) -> Result<Vec<u8>, PhotoError> {
    use webp::*;
    const KEEP: [[u8; 4]; 7] = [
        CHUNK_VP8X, CHUNK_VP8, CHUNK_VP8L, CHUNK_ALPH, CHUNK_ANIM, CHUNK_ANMF, CHUNK_ICCP,
    ];
    // VP8X feature flags for the chunks removed here.
    const EXIF_FLAG: u8 = 0b0000_1000;
    const XMP_FLAG: u8 = 0b0000_0100;

    let mut parsed = WebP::from_bytes(Bytes::copy_from_slice(bytes)).map_err(corrupt("WebP"))?;
    let has_image =
        parsed.has_chunk(CHUNK_VP8) || parsed.has_chunk(CHUNK_VP8L) || parsed.has_chunk(CHUNK_ANMF);
    if !has_image {
        return Err(PhotoError::Corrupt("WebP without image data".into()));
    }
    parsed.chunks_mut().retain(|c| KEEP.contains(&c.id()));
    for chunk in parsed.chunks_mut() {
        if chunk.id() != CHUNK_VP8X {
            continue;
        }
        if let RiffContent::Data(data) = chunk.content_mut() {
            let mut flags = data.to_vec();
            let first = flags
                .first_mut()
                .ok_or_else(|| PhotoError::Corrupt("WebP VP8X chunk is empty".into()))?;
            *first &= !(EXIF_FLAG | XMP_FLAG);
            *data = Bytes::from(flags);
        }
    }
    Ok(parsed.encoder().bytes().to_vec())
}

// ---------------------------------------------------------------- HEIC

/// In-place metadata removal for HEIF/HEIC (ISO/IEC 23008-12), see the
/// module docs. Offsets and lengths are checked before anything is written.
mod heif {
    use super::PhotoError;

    /// A layout we cannot blank with certainty: refused as unsupported.
    fn unsupported(what: &str) -> PhotoError {
        PhotoError::UnsupportedType {
            detected: Some(format!("image/heif with {what}")),
        }
    }

    fn corrupt(what: &str) -> PhotoError {
        PhotoError::Corrupt(format!("HEIF: {what}"))
    }

    /// A box: its type, where its body starts and where it ends.
    #[derive(Debug, Clone, Copy)]
    struct Bx {
        kind: [u8; 4],
        start: usize,
        body: usize,
        end: usize,
    }

    /// The boxes in `buf[start..end]`, which they must fill exactly.
    fn boxes(buf: &[u8], start: usize, end: usize) -> Result<Vec<Bx>, PhotoError> {
        let mut out = Vec::new();
        let mut pos = start;
        while pos < end {
            let mut r = Reader::new(buf, pos, end);
            let size32 = r.u32()?;
            let kind = r.four()?;
            let size = match size32 {
                0 => end - pos,
                1 => usize::try_from(r.u64()?).map_err(|_| corrupt("box too large"))?,
                n => n as usize,
            };
            if kind == *b"uuid" {
                r.skip(16)?;
            }
            if size < r.pos - pos || size > end - pos {
                return Err(corrupt("box overruns its parent"));
            }
            out.push(Bx {
                kind,
                start: pos,
                body: r.pos,
                end: pos + size,
            });
            pos += size;
        }
        Ok(out)
    }

    /// Big-endian reads within `buf[..end]`.
    struct Reader<'a> {
        buf: &'a [u8],
        pos: usize,
        end: usize,
    }

    impl<'a> Reader<'a> {
        fn new(buf: &'a [u8], pos: usize, end: usize) -> Self {
            Reader { buf, pos, end }
        }

        fn take(&mut self, n: usize) -> Result<&'a [u8], PhotoError> {
            let end = self.pos.checked_add(n).filter(|&e| e <= self.end);
            let end = end.ok_or_else(|| corrupt("box is truncated"))?;
            let out = &self.buf[self.pos..end];
            self.pos = end;
            Ok(out)
        }

        fn skip(&mut self, n: usize) -> Result<(), PhotoError> {
            self.take(n).map(|_| ())
        }

        fn uint(&mut self, n: usize) -> Result<u64, PhotoError> {
            Ok(self
                .take(n)?
                .iter()
                .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
        }

        fn u8(&mut self) -> Result<u8, PhotoError> {
            Ok(self.take(1)?[0])
        }

        fn u16(&mut self) -> Result<u16, PhotoError> {
            Ok(self.uint(2)? as u16)
        }

        fn u32(&mut self) -> Result<u32, PhotoError> {
            Ok(self.uint(4)? as u32)
        }

        fn u64(&mut self) -> Result<u64, PhotoError> {
            self.uint(8)
        }

        fn four(&mut self) -> Result<[u8; 4], PhotoError> {
            let b = self.take(4)?;
            Ok([b[0], b[1], b[2], b[3]])
        }

        /// A field of 0, 4 or 8 bytes, as iloc declares them.
        fn sized(&mut self, size: u8) -> Result<u64, PhotoError> {
            match size {
                0 => Ok(0),
                4 | 8 => self.uint(size.into()),
                _ => Err(corrupt("bad field size in item locations")),
            }
        }

        /// Version of a full box (the flags are skipped).
        fn full_box(&mut self) -> Result<u8, PhotoError> {
            let version = self.u8()?;
            self.skip(3)?;
            Ok(version)
        }
    }

    /// What to write over an item's data.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Blank {
        Exif,
        Xmp,
        Zeros,
    }

    impl Blank {
        fn payload(self, len: usize) -> Vec<u8> {
            // Exif item: 4-byte offset to the TIFF header, then a TIFF with
            // one IFD of no entries.
            const EMPTY_EXIF: &[u8] = b"\0\0\0\0MM\0\x2a\0\0\0\x08\0\0\0\0\0\0";
            const XMP_HEAD: &[u8] =
                b"<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>";
            const XMP_TAIL: &[u8] = b"<?xpacket end=\"w\"?>";
            let mut out = match self {
                Blank::Exif if len >= EMPTY_EXIF.len() => EMPTY_EXIF.to_vec(),
                Blank::Xmp if len >= XMP_HEAD.len() + XMP_TAIL.len() => {
                    let mut v = XMP_HEAD.to_vec();
                    v.resize(len - XMP_TAIL.len(), b' ');
                    v.extend_from_slice(XMP_TAIL);
                    v
                }
                Blank::Xmp => vec![b' '; len],
                _ => Vec::new(),
            };
            out.resize(len, 0);
            out
        }
    }

    const KEEP_TOP: [&[u8; 4]; 5] = [b"ftyp", b"meta", b"mdat", b"free", b"skip"];
    const KEEP_META: [&[u8; 4]; 11] = [
        b"hdlr", b"pitm", b"iloc", b"iinf", b"iref", b"iprp", b"idat", b"dinf", b"grpl", b"free",
        b"skip",
    ];

    /// Turns a box into a `free` box of the same size with a zeroed body.
    fn free(out: &mut [u8], b: Bx) {
        out[b.start + 4..b.start + 8].copy_from_slice(b"free");
        // A uuid box's 16-byte extended type now counts as body.
        let body = if b.kind == *b"uuid" {
            b.body - 16
        } else {
            b.body
        };
        out[body..b.end].fill(0);
    }

    pub(super) fn strip(bytes: &[u8]) -> Result<Vec<u8>, PhotoError> {
        let mut out = bytes.to_vec();
        let top = boxes(bytes, 0, bytes.len())?;
        if top.first().map(|b| &b.kind) != Some(b"ftyp") {
            return Err(corrupt("no file type box first"));
        }
        if top.iter().any(|b| &b.kind == b"moov") {
            return Err(unsupported("an image sequence"));
        }
        let metas: Vec<Bx> = top.iter().copied().filter(|b| &b.kind == b"meta").collect();
        let [meta] = metas[..] else {
            return Err(corrupt("not exactly one meta box"));
        };
        let mdats: Vec<(usize, usize)> = top
            .iter()
            .filter(|b| &b.kind == b"mdat")
            .map(|b| (b.body, b.end))
            .collect();
        for b in top.iter().filter(|b| !KEEP_TOP.contains(&&b.kind)) {
            free(&mut out, *b);
        }

        let mut r = Reader::new(bytes, meta.body, meta.end);
        if r.full_box()? != 0 {
            return Err(unsupported("a meta box of an unknown version"));
        }
        let children = boxes(bytes, r.pos, meta.end)?;
        let one = |kind: &[u8; 4]| -> Result<Option<Bx>, PhotoError> {
            let mut found = children.iter().filter(|b| &b.kind == kind);
            match (found.next(), found.next()) {
                (first, None) => Ok(first.copied()),
                _ => Err(corrupt("a meta child box appears twice")),
            }
        };
        let hdlr = one(b"hdlr")?.ok_or_else(|| corrupt("no handler box"))?;
        let mut h = Reader::new(bytes, hdlr.body, hdlr.end);
        h.full_box()?;
        h.skip(4)?;
        if &h.four()? != b"pict" {
            return Err(unsupported("a handler other than pict"));
        }
        for b in children.iter().filter(|b| !KEEP_META.contains(&&b.kind)) {
            free(&mut out, *b);
        }

        let Some(iinf) = one(b"iinf")? else {
            return Ok(out); // no items, so no metadata items
        };
        let to_blank = metadata_items(bytes, iinf)?;
        if to_blank.is_empty() {
            return Ok(out);
        }
        let iloc = one(b"iloc")?.ok_or_else(|| corrupt("items without locations"))?;
        let idat = one(b"idat")?.map(|b| (b.body, b.end));
        for (blank, ranges) in locate(bytes, iloc, &to_blank, &mdats, idat)? {
            let len = ranges.iter().map(|(s, e)| e - s).sum();
            let payload = blank.payload(len);
            let mut at = 0;
            for (s, e) in ranges {
                out[s..e].copy_from_slice(&payload[at..at + (e - s)]);
                at += e - s;
            }
        }
        Ok(out)
    }

    /// The ids of the metadata items (Exif, mime/XMP, uri) and how to blank
    /// each.
    fn metadata_items(bytes: &[u8], iinf: Bx) -> Result<Vec<(u32, Blank)>, PhotoError> {
        let mut r = Reader::new(bytes, iinf.body, iinf.end);
        let count = match r.full_box()? {
            0 => u32::from(r.u16()?),
            _ => r.u32()?,
        };
        let entries = boxes(bytes, r.pos, iinf.end)?;
        let infes: Vec<Bx> = entries.into_iter().filter(|b| &b.kind == b"infe").collect();
        if infes.len() != count as usize {
            return Err(corrupt("item count does not match the item entries"));
        }
        let mut out = Vec::new();
        for infe in infes {
            let mut e = Reader::new(bytes, infe.body, infe.end);
            let id = match e.full_box()? {
                2 => u32::from(e.u16()?),
                3 => e.u32()?,
                _ => return Err(unsupported("item entries of version 0 or 1")),
            };
            e.skip(2)?; // protection index
            let blank = match &e.four()? {
                b"Exif" => Some(Blank::Exif),
                b"mime" => Some(Blank::Xmp),
                b"uri " => Some(Blank::Zeros),
                _ => None,
            };
            if let Some(blank) = blank {
                out.push((id, blank));
            }
        }
        Ok(out)
    }

    type Ranges = Vec<(usize, usize)>;

    /// The absolute byte ranges of each item in `wanted`, all checked to lie
    /// inside an `mdat` (or the `idat`) box.
    fn locate(
        bytes: &[u8],
        iloc: Bx,
        wanted: &[(u32, Blank)],
        mdats: &[(usize, usize)],
        idat: Option<(usize, usize)>,
    ) -> Result<Vec<(Blank, Ranges)>, PhotoError> {
        let mut r = Reader::new(bytes, iloc.body, iloc.end);
        let version = r.full_box()?;
        if version > 2 {
            return Err(unsupported("item locations of an unknown version"));
        }
        let sizes = r.u8()?;
        let (offset_size, length_size) = (sizes >> 4, sizes & 0xF);
        let sizes = r.u8()?;
        let base_offset_size = sizes >> 4;
        let index_size = if version == 0 { 0 } else { sizes & 0xF };
        let count = if version < 2 {
            u32::from(r.u16()?)
        } else {
            r.u32()?
        };
        let mut out = Vec::new();
        for _ in 0..count {
            let id = if version < 2 {
                u32::from(r.u16()?)
            } else {
                r.u32()?
            };
            let method = if version == 0 { 0 } else { r.u16()? & 0xF };
            let data_ref = r.u16()?;
            let base = r.sized(base_offset_size)?;
            let extents = r.u16()?;
            let blank = wanted.iter().find(|(w, _)| *w == id).map(|(_, b)| *b);
            let mut ranges = Vec::new();
            for _ in 0..extents {
                r.sized(index_size)?;
                let offset = r.sized(offset_size)?;
                let length = r.sized(length_size)?;
                if blank.is_none() {
                    continue;
                }
                let (area_start, area_end, areas) = match (method, data_ref) {
                    (0, 0) => (0, bytes.len(), mdats.to_vec()),
                    (1, _) => {
                        let (s, e) = idat.ok_or_else(|| corrupt("item in a missing idat"))?;
                        (s, e, vec![(s, e)])
                    }
                    (0, _) => return Err(unsupported("item data in another file")),
                    _ => return Err(unsupported("items built from other items")),
                };
                let start = base
                    .checked_add(offset)
                    .and_then(|o| usize::try_from(o).ok())
                    .and_then(|o| o.checked_add(area_start))
                    .ok_or_else(|| corrupt("item offset out of range"))?;
                let end = match length {
                    // Length 0: to the end of the data.
                    0 => area_end,
                    n => usize::try_from(n)
                        .ok()
                        .and_then(|n| start.checked_add(n))
                        .ok_or_else(|| corrupt("item length out of range"))?,
                };
                if !areas
                    .iter()
                    .any(|&(s, e)| s <= start && start <= end && end <= e)
                {
                    return Err(corrupt("metadata item outside the data boxes"));
                }
                ranges.push((start, end));
            }
            if let Some(blank) = blank {
                out.push((blank, ranges));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    //! Every sample is built here, byte by byte: no image files in the repo.

    use super::*;
    use exif::{Field, Rational};

    const SECRET: &[u8] = b"SECRET";

    // ------------------------------------------------------------ samples

    /// An EXIF block (TIFF, big-endian) holding `fields`.
    fn tiff(fields: &[Field]) -> Vec<u8> {
        let mut writer = exif::experimental::Writer::new();
        for f in fields {
            writer.push_field(f);
        }
        let mut out = Cursor::new(Vec::new());
        writer.write(&mut out, false).expect("write EXIF");
        out.into_inner()
    }

    fn field(tag: Tag, value: Value) -> Field {
        Field {
            tag,
            ifd_num: In::PRIMARY,
            value,
        }
    }

    fn text(s: &str) -> Value {
        Value::Ascii(vec![s.as_bytes().to_vec()])
    }

    /// Unsigned decimal degrees as EXIF degrees, minutes, seconds (the
    /// seconds to a millionth).
    fn dms(v: f64) -> Value {
        let v = v.abs();
        let deg = v.trunc();
        let min = ((v - deg) * 60.0).trunc();
        let sec = ((v - deg) * 60.0 - min) * 60.0;
        Value::Rational(vec![
            Rational {
                num: deg as u32,
                denom: 1,
            },
            Rational {
                num: min as u32,
                denom: 1,
            },
            Rational {
                num: (sec * 1e6).round() as u32,
                denom: 1_000_000,
            },
        ])
    }

    /// What a phone writes: maker, time taken, position, and optionally an
    /// orientation.
    fn phone_exif(lat: f64, lng: f64, orientation: Option<u16>) -> Vec<u8> {
        let mut fields = vec![
            field(Tag::Make, text("SECRET phone")),
            field(Tag::DateTimeOriginal, text("2026:03:14 09:26:53")),
            field(Tag::DateTime, text("2026:03:15 10:00:00")),
            field(Tag::GPSLatitudeRef, text(if lat < 0.0 { "S" } else { "N" })),
            field(Tag::GPSLatitude, dms(lat)),
            field(
                Tag::GPSLongitudeRef,
                text(if lng < 0.0 { "W" } else { "E" }),
            ),
            field(Tag::GPSLongitude, dms(lng)),
        ];
        if let Some(o) = orientation {
            fields.push(field(Tag::Orientation, Value::Short(vec![o])));
        }
        tiff(&fields)
    }

    /// The samples say 09:26:53 without an offset: China Standard Time,
    /// so 01:26:53 UTC.
    fn taken_at() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 14)
            .and_then(|d| d.and_hms_opt(1, 26, 53))
            .expect("valid date")
    }

    fn assert_evidence(e: &PhotoEvidence, lat: f64, lng: f64) {
        assert_eq!(e.taken_at, Some(taken_at()));
        let (got_lat, got_lng) = (e.lat.expect("lat"), e.lng.expect("lng"));
        assert!((got_lat - lat).abs() < 1e-6, "lat {got_lat} vs {lat}");
        assert!((got_lng - lng).abs() < 1e-6, "lng {got_lng} vs {lng}");
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn segment(marker: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, marker];
        out.extend_from_slice(
            &u16::try_from(contents.len() + 2)
                .expect("short")
                .to_be_bytes(),
        );
        out.extend_from_slice(contents);
        out
    }

    /// A valid 8×8 grey baseline JPEG: JFIF, then `extra` segments, then
    /// one quantisation table, a frame header, one-code Huffman tables and
    /// a scan whose only MCU is DC 0 + end-of-block (bits `00`, padded with
    /// ones: 0x3F), then EOI, then `trailer`.
    fn jpeg(extra: &[Vec<u8>], trailer: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        out.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        for s in extra {
            out.extend_from_slice(s);
        }
        out.extend(segment(0xDB, &[[0u8].as_slice(), &[1u8; 64]].concat()));
        out.extend(segment(0xC0, &[8, 0, 8, 0, 8, 1, 1, 0x11, 0]));
        let one_code = |class: u8| {
            let mut t = vec![class, 1];
            t.extend([0u8; 15]);
            t.push(0);
            t
        };
        out.extend(segment(0xC4, &one_code(0x00)));
        out.extend(segment(0xC4, &one_code(0x10)));
        out.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        out.extend([0x3F, 0xFF, 0xD9]);
        out.extend_from_slice(trailer);
        out
    }

    /// A phone-like JPEG: EXIF with GPS, XMP, a comment, and a second
    /// picture appended after EOI, all carrying the secret.
    fn phone_jpeg(lat: f64, lng: f64, orientation: Option<u16>) -> Vec<u8> {
        let exif = [b"Exif\0\0".as_slice(), &phone_exif(lat, lng, orientation)].concat();
        let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>SECRET GPS</x:xmpmeta>";
        jpeg(
            &[
                segment(0xE1, &exif),
                segment(0xE1, xmp),
                segment(0xED, b"Photoshop 3.0\0SECRET IPTC"),
                segment(0xFE, b"SECRET comment"),
            ],
            b"\xFF\xD8 second picture, SECRET",
        )
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = u32::try_from(data.len())
            .expect("short")
            .to_be_bytes()
            .to_vec();
        let typed = [kind.as_slice(), data].concat();
        out.extend_from_slice(&typed);
        out.extend(crc32(&typed).to_be_bytes());
        out
    }

    /// A valid 1×1 grey PNG with `extra` chunks before its image data. The
    /// zlib stream is one stored block (filter byte 0, pixel 0x80).
    fn png(extra: &[Vec<u8>]) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend(png_chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
        for c in extra {
            out.extend_from_slice(c);
        }
        let raw = [0u8, 0x80];
        let (mut a, mut b) = (1u32, 0u32);
        for &x in &raw {
            a = (a + u32::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        let mut zlib = vec![0x78, 0x01, 0x01, 0x02, 0x00, 0xFD, 0xFF];
        zlib.extend_from_slice(&raw);
        zlib.extend(((b << 16) | a).to_be_bytes());
        out.extend(png_chunk(b"IDAT", &zlib));
        out.extend(png_chunk(b"IEND", &[]));
        out
    }

    fn riff_chunk(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = id.to_vec();
        out.extend(u32::try_from(data.len()).expect("short").to_le_bytes());
        out.extend_from_slice(data);
        if data.len() % 2 == 1 {
            out.push(0);
        }
        out
    }

    /// A 1×1 lossless WebP (the well-known 26-byte VP8L picture) in the
    /// extended format, with EXIF and XMP chunks and their VP8X flags.
    fn webp(exif: Option<&[u8]>) -> Vec<u8> {
        const VP8L: &[u8] = &[
            0x2f, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07,
        ];
        let flags = 0x10 | if exif.is_some() { 0x08 | 0x04 } else { 0 };
        let mut body = b"WEBP".to_vec();
        body.extend(riff_chunk(b"VP8X", &[flags, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        body.extend(riff_chunk(b"VP8L", VP8L));
        if let Some(exif) = exif {
            body.extend(riff_chunk(b"EXIF", exif));
            body.extend(riff_chunk(b"XMP ", b"<x:xmpmeta>SECRET GPS</x:xmpmeta>"));
        }
        riff_chunk(b"RIFF", &body)
    }

    fn isobmff(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = u32::try_from(body.len() + 8)
            .expect("short")
            .to_be_bytes()
            .to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    fn full_box(kind: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
        isobmff(kind, &[[version, 0, 0, 0].as_slice(), body].concat())
    }

    const HEVC: &[u8] = b"not really HEVC, but the image item's bytes";

    /// A HEIC laid out as a phone writes one: ftyp, a top-level uuid box of
    /// maker data, meta (hdlr, pitm, iloc v1, iinf with an hvc1 image, an
    /// Exif item and an XMP mime item), then mdat holding the three items.
    /// `exif_method` is the Exif item's construction method.
    fn heic(exif: &[u8], exif_method: u16) -> Vec<u8> {
        let exif_item = [b"\0\0\0\x06Exif\0\0".as_slice(), exif].concat();
        // XMP packets carry padding for in-place edits; 200 bytes is modest.
        let mut xmp_item = b"<x:xmpmeta>SECRET GPS</x:xmpmeta>".to_vec();
        xmp_item.resize(200, b' ');
        let ftyp = isobmff(b"ftyp", b"heic\0\0\0\0mif1heic");
        let uuid = isobmff(b"uuid", b"0123456789abcdefSECRET maker notes");
        let meta = |mdat_body: u32| {
            let infe = |id: u16, kind: &[u8; 4], extra: &[u8]| {
                let body = [id.to_be_bytes().as_slice(), &[0, 0], kind, b"\0", extra].concat();
                full_box(b"infe", 2, &body)
            };
            let iinf = full_box(
                b"iinf",
                0,
                &[
                    3u16.to_be_bytes().as_slice(),
                    &infe(1, b"hvc1", b""),
                    &infe(2, b"Exif", b""),
                    &infe(3, b"mime", b"application/rdf+xml\0"),
                ]
                .concat(),
            );
            let mut iloc = vec![0x44, 0x00];
            iloc.extend(3u16.to_be_bytes());
            let mut offset = mdat_body;
            for (id, len, method) in [
                (1u16, HEVC.len(), 0u16),
                (2, exif_item.len(), exif_method),
                (3, xmp_item.len(), 0),
            ] {
                let len = u32::try_from(len).expect("short");
                iloc.extend(id.to_be_bytes());
                iloc.extend(method.to_be_bytes());
                iloc.extend(0u16.to_be_bytes()); // data reference index
                iloc.extend(1u16.to_be_bytes()); // one extent
                iloc.extend(offset.to_be_bytes());
                iloc.extend(len.to_be_bytes());
                offset += len;
            }
            let hdlr = full_box(b"hdlr", 0, b"\0\0\0\0pict\0\0\0\0\0\0\0\0\0\0\0\0\0");
            let pitm = full_box(b"pitm", 0, &1u16.to_be_bytes());
            full_box(
                b"meta",
                0,
                &[hdlr, pitm, full_box(b"iloc", 1, &iloc), iinf].concat(),
            )
        };
        let head = ftyp.len() + uuid.len() + meta(0).len() + 8;
        let meta = meta(u32::try_from(head).expect("short"));
        let mdat = isobmff(b"mdat", &[HEVC, &exif_item, &xmp_item].concat());
        [ftyp, uuid, meta, mdat].concat()
    }

    fn check(bytes: &[u8]) -> Result<InspectedPhoto, PhotoError> {
        inspect(bytes, &PhotoLimits::default())
    }

    /// What every stripped photo must satisfy: no secret left, nothing to
    /// read as evidence, and it inspects again to itself.
    fn assert_clean(photo: &InspectedPhoto) {
        assert!(!contains(&photo.stripped, SECRET), "metadata left");
        assert_eq!(photo.key, sha256_hex(&photo.stripped));
        let again = check(&photo.stripped).expect("stripped photo inspects");
        assert!(again.evidence.is_empty(), "{:?}", again.evidence);
        assert_eq!(again.media_type, photo.media_type);
        assert_eq!(again.stripped, photo.stripped, "stripping is idempotent");
    }

    // ------------------------------------------------------------ cases

    #[test]
    fn jpeg_evidence_is_read_and_stripped_from_the_bytes() {
        let (lat, lng) = (31.230_416, 121.473_701);
        let original = phone_jpeg(lat, lng, None);
        let photo = check(&original).expect("accepted");
        assert_eq!(photo.media_type, MediaType::Jpeg);
        assert_evidence(&photo.evidence, lat, lng);
        assert_eq!(photo.original_sha256, sha256_hex(&original));
        assert_ne!(photo.key, photo.original_sha256);

        let s = &photo.stripped;
        assert!(s.starts_with(&[0xFF, 0xD8]), "SOI first");
        assert!(s.ends_with(&[0xFF, 0xD9]), "EOI last, trailer dropped");
        assert!(read_exif(s).is_none(), "no EXIF at all without orientation");
        assert!(contains(s, b"JFIF\0"), "JFIF header kept");
        // Every decoding segment kept byte for byte: the clean file is the
        // sample without its metadata segments and trailer.
        assert_eq!(s, &jpeg(&[], b""));
        assert_clean(&photo);
    }

    #[test]
    fn jpeg_orientation_survives_alone() {
        let photo = check(&phone_jpeg(-33.868_8, -151.209_3, Some(6))).expect("accepted");
        assert_evidence(&photo.evidence, -33.868_8, -151.209_3);
        let left = read_exif(&photo.stripped).expect("orientation EXIF");
        let tags: Vec<Tag> = left.fields().map(|f| f.tag).collect();
        assert_eq!(tags, vec![Tag::Orientation]);
        assert_eq!(orientation(Some(&left)), Some(6));
        // JFIF first, then the new EXIF block.
        assert_eq!(&photo.stripped[2..4], &[0xFF, 0xE0]);
        assert_eq!(&photo.stripped[20..22], &[0xFF, 0xE1]);
        assert_clean(&photo);
    }

    #[test]
    fn jpeg_without_exif_has_empty_evidence() {
        let photo = check(&jpeg(&[], b"")).expect("accepted");
        assert!(photo.evidence.is_empty());
        assert_eq!(photo.key, photo.original_sha256, "nothing to strip");
    }

    #[test]
    fn metadata_between_scans_is_dropped_too() {
        let mut out = Vec::new();
        let data = [
            &[0x12, 0xFF, 0x00, 0xFF, 0xD0][..],
            &segment(0xFE, b"SECRET"),
            &segment(0xC4, &[0x10, 1, 0]),
            &[0x34, 0xFF, 0xFF, 0xD9, 0xAA],
        ]
        .concat();
        copy_scans(&data, &mut out).expect("scans");
        let want = [
            &[0x12, 0xFF, 0x00, 0xFF, 0xD0][..],
            &segment(0xC4, &[0x10, 1, 0]),
            &[0x34, 0xFF, 0xFF, 0xD9],
        ]
        .concat();
        assert_eq!(out, want);
    }

    #[test]
    fn truncated_jpegs_are_corrupt() {
        let whole = phone_jpeg(1.0, 2.0, None);
        for cut in [whole.len() - 2 - 33, whole.len() / 2, 3] {
            let err = check(&whole[..cut]).expect_err("truncated");
            assert!(
                matches!(err, PhotoError::Corrupt(_)),
                "cut at {cut}: {err:?}"
            );
        }
        let no_frame = [
            &[0xFF, 0xD8][..],
            &segment(0xDA, &[1, 1, 0, 0, 63, 0]),
            &[0, 0xFF, 0xD9],
        ]
        .concat();
        assert!(matches!(check(&no_frame), Err(PhotoError::Corrupt(_))));
    }

    #[test]
    fn png_is_accepted_and_its_text_and_exif_removed() {
        let (lat, lng) = (48.858_37, 2.294_481);
        let original = png(&[
            png_chunk(b"eXIf", &phone_exif(lat, lng, None)),
            png_chunk(b"tEXt", b"Comment\0SECRET"),
            png_chunk(
                b"iTXt",
                b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>SECRET</x:xmpmeta>",
            ),
            png_chunk(b"pHYs", &[0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1]),
        ]);
        let photo = check(&original).expect("accepted");
        assert_eq!(photo.media_type, MediaType::Png);
        assert_evidence(&photo.evidence, lat, lng);
        assert_eq!(
            photo.stripped,
            png(&[png_chunk(b"pHYs", &[0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1])])
        );
        assert_clean(&photo);

        let plain = png(&[]);
        assert_eq!(check(&plain).expect("plain PNG").stripped, plain);
    }

    #[test]
    fn broken_pngs_are_corrupt() {
        let whole = png(&[]);
        let mut bad_crc = whole.clone();
        let last = bad_crc.len() - 1;
        bad_crc[last] ^= 1;
        for bytes in [&whole[..whole.len() - 12], &whole[..20], &bad_crc[..]] {
            assert!(matches!(check(bytes), Err(PhotoError::Corrupt(_))));
        }
    }

    #[test]
    fn webp_is_accepted_and_its_exif_and_xmp_removed() {
        let (lat, lng) = (-22.951_916, -43.210_487);
        let photo = check(&webp(Some(&phone_exif(lat, lng, None)))).expect("accepted");
        assert_eq!(photo.media_type, MediaType::Webp);
        assert_evidence(&photo.evidence, lat, lng);
        // Same as the sample made without metadata: VP8X flags cleared, RIFF
        // size fixed.
        assert_eq!(photo.stripped, webp(None));
        assert_clean(&photo);
        let truncated = webp(None);
        assert!(matches!(
            check(&truncated[..truncated.len() - 4]),
            Err(PhotoError::Corrupt(_))
        ));
    }

    #[test]
    fn heic_metadata_is_blanked_in_place() {
        let (lat, lng) = (35.658_58, 139.745_433);
        let original = heic(&phone_exif(lat, lng, None), 0);
        let photo = check(&original).expect("accepted");
        assert_eq!(photo.media_type, MediaType::Heic);
        assert_evidence(&photo.evidence, lat, lng);

        let s = &photo.stripped;
        assert_eq!(s.len(), original.len(), "offsets stay valid");
        assert!(contains(s, HEVC), "image data untouched");
        assert!(
            contains(s, b"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>"),
            "empty XMP"
        );
        assert!(!contains(s, b"uuid"), "unknown top-level box freed");
        assert_clean(&photo);
    }

    #[test]
    fn heic_that_cannot_be_blanked_safely_is_refused() {
        let exif = phone_exif(1.0, 2.0, None);
        let err = check(&heic(&exif, 2)).expect_err("construction method 2");
        assert!(matches!(err, PhotoError::UnsupportedType { .. }), "{err:?}");

        let whole = heic(&exif, 0);
        for cut in [100, whole.len() - 10] {
            let err = check(&whole[..cut]).expect_err("truncated");
            assert!(
                matches!(err, PhotoError::Corrupt(_)),
                "cut at {cut}: {err:?}"
            );
        }
    }

    #[test]
    fn other_content_is_unsupported_whatever_it_claims() {
        let mut noise = Vec::with_capacity(4096);
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..4096 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            noise.push((x >> 24) as u8);
        }
        let cases: [(&[u8], Option<&str>); 4] = [
            (b"just some text, named photo.jpg\n", None),
            (
                b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n",
                Some("application/pdf"),
            ),
            (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", Some("image/gif")),
            (&noise, None),
        ];
        for (bytes, detected) in cases {
            let err = check(bytes).expect_err("unsupported");
            assert_eq!(
                err,
                PhotoError::UnsupportedType {
                    detected: detected.map(str::to_owned)
                }
            );
        }
    }

    #[test]
    fn size_limits_come_before_anything_else() {
        let limits = PhotoLimits {
            max_bytes: 100,
            ..PhotoLimits::default()
        };
        let err = inspect(&phone_jpeg(1.0, 2.0, None), &limits).expect_err("too large");
        assert_eq!(err, PhotoError::TooLarge { max: 100 });
        assert!(
            inspect(&[0u8; 101], &limits).is_err_and(|e| matches!(e, PhotoError::TooLarge { .. }))
        );
        assert!(
            inspect(
                &jpeg(&[], b""),
                &PhotoLimits {
                    max_bytes: 1000,
                    ..limits
                }
            )
            .is_ok()
        );

        let err = check(b"").expect_err("empty");
        assert_eq!(err, PhotoError::Empty);
    }

    #[test]
    fn void_or_out_of_range_positions_are_not_evidence() {
        let void = tiff(&[
            field(Tag::GPSStatus, text("V")),
            field(Tag::GPSLatitudeRef, text("N")),
            field(Tag::GPSLatitude, dms(10.0)),
            field(Tag::GPSLongitudeRef, text("E")),
            field(Tag::GPSLongitude, dms(20.0)),
        ]);
        let photo = check(&png(&[png_chunk(b"eXIf", &void)])).expect("accepted");
        assert!(photo.evidence.is_empty());

        let far = tiff(&[
            field(Tag::GPSLatitudeRef, text("N")),
            field(Tag::GPSLatitude, dms(95.0)),
            field(Tag::GPSLongitudeRef, text("E")),
            field(Tag::GPSLongitude, dms(20.0)),
            field(Tag::DateTime, text("2026:03:14 09:26:53")),
        ]);
        let photo = check(&png(&[png_chunk(b"eXIf", &far)])).expect("accepted");
        assert_eq!(
            photo.evidence,
            PhotoEvidence {
                taken_at: Some(taken_at()),
                lat: None,
                lng: None
            },
            "DateTime stands in for DateTimeOriginal"
        );
    }
}
