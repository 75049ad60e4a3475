//! Paginated PDF export on A4 with PDF's standard fonts (nothing to embed): site header, period
//! and filters, page numbers, the entries with their hashes and signatures, a chain summary with
//! the registered keys, and a signature block with the export's fingerprint.

use crate::winansi::encode;
use jumeau_store::LogEntry;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::HashMap;

/// What the PDF says about itself.
pub struct PdfHeader {
    pub site: String,
    pub title: String,
    pub period: String,
    pub filters: String,
    pub exported_by: String,
    pub exported_at: String,
    /// Result of the chain verification run for the export.
    pub verification: String,
    pub fingerprint: String,
    pub signer_key: String,
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 40.0;
const BODY_SIZE: f32 = 7.5;
const LEADING: f32 = 9.2;
/// Courier advances 0.6 em per character.
const CHARS_PER_LINE: usize = ((PAGE_W - 2.0 * MARGIN) / (BODY_SIZE * 0.6)) as usize;
const TOP: f32 = PAGE_H - MARGIN - 34.0;
const BOTTOM: f32 = MARGIN + 18.0;
const LINES_PER_PAGE: usize = ((TOP - BOTTOM) / LEADING) as usize;

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Normal,
    Bold,
    Dim,
}

struct Line {
    text: String,
    style: Style,
}

fn push_wrapped(lines: &mut Vec<Line>, text: &str, indent: usize, style: Style) {
    let width = CHARS_PER_LINE - indent;
    for paragraph in text.split('\n') {
        let chars: Vec<char> = paragraph.chars().collect();
        if chars.is_empty() {
            lines.push(Line {
                text: " ".repeat(indent),
                style,
            });
        }
        for chunk in chars.chunks(width.max(1)) {
            lines.push(Line {
                text: format!("{}{}", " ".repeat(indent), chunk.iter().collect::<String>()),
                style,
            });
        }
    }
}

fn entry_lines(lines: &mut Vec<Line>, e: &LogEntry, keys: &HashMap<String, String>) {
    let b = &e.body;
    let mut head = format!(
        "#{}  {}  {} ({}) @{}  [{}] {}",
        b.seq, b.recorded_at, b.author, b.role, b.device, b.category, b.kind
    );
    if b.training {
        head.push_str("  FORMATION");
    }
    if let Some(c) = b.corrects {
        head.push_str(&format!("  corrige #{c}"));
    }
    push_wrapped(lines, &head, 0, Style::Bold);
    let mut meta = Vec::new();
    if !b.components.is_empty() {
        meta.push(format!("composants: {}", b.components.join(", ")));
    }
    if !b.tags.is_empty() {
        meta.push(format!("tags: {}", b.tags.join(", ")));
    }
    if !b.values.is_empty() {
        let v: Vec<String> = b.values.iter().map(ToString::to_string).collect();
        meta.push(format!("valeurs: {}", v.join(", ")));
    }
    if !meta.is_empty() {
        push_wrapped(lines, &meta.join(" | "), 4, Style::Normal);
    }
    push_wrapped(lines, &b.text, 4, Style::Normal);
    let owner = keys
        .get(&b.key_id)
        .map_or("clé non enregistrée", String::as_str);
    push_wrapped(
        lines,
        &format!("empreinte {}  clé {} ({owner})", e.entry_hash, b.key_id),
        4,
        Style::Dim,
    );
    push_wrapped(lines, &format!("signature {}", e.signature), 4, Style::Dim);
}

/// Lays the document out and returns the PDF bytes. `keys` maps key ids to "login@device".
pub fn write_pdf(
    entries: &[LogEntry],
    header: &PdfHeader,
    keys: &HashMap<String, String>,
) -> Vec<u8> {
    let mut lines = Vec::new();
    for (label, value) in [
        ("Période", &header.period),
        ("Filtres", &header.filters),
        ("Exporté par", &header.exported_by),
        ("Exporté le", &header.exported_at),
    ] {
        push_wrapped(&mut lines, &format!("{label} : {value}"), 0, Style::Normal);
    }
    push_wrapped(&mut lines, "", 0, Style::Normal);
    for e in entries {
        entry_lines(&mut lines, e, keys);
    }
    push_wrapped(&mut lines, "", 0, Style::Normal);
    push_wrapped(&mut lines, "Résumé de la chaîne", 0, Style::Bold);
    let summary = match (entries.first(), entries.last()) {
        (Some(f), Some(l)) => format!(
            "{} entrées, #{} à #{}; précédent de la première: {}; empreinte de la dernière: {}",
            entries.len(),
            f.body.seq,
            l.body.seq,
            f.body.prev,
            l.entry_hash
        ),
        _ => "aucune entrée".to_owned(),
    };
    push_wrapped(&mut lines, &summary, 4, Style::Normal);
    push_wrapped(
        &mut lines,
        &format!("Vérification à l'export : {}", header.verification),
        4,
        Style::Normal,
    );
    let mut key_list: Vec<_> = keys.iter().collect();
    key_list.sort();
    for (id, owner) in key_list {
        push_wrapped(&mut lines, &format!("clé {id} : {owner}"), 4, Style::Dim);
    }
    push_wrapped(&mut lines, "", 0, Style::Normal);
    push_wrapped(&mut lines, "Bloc de signature", 0, Style::Bold);
    push_wrapped(
        &mut lines,
        &format!(
            "Empreinte de l'export (SHA-256 des empreintes des entrées, dans l'ordre) : {}",
            header.fingerprint
        ),
        4,
        Style::Normal,
    );
    push_wrapped(
        &mut lines,
        &format!("Clé de signature de l'export : {}", header.signer_key),
        4,
        Style::Normal,
    );
    push_wrapped(
        &mut lines,
        "Ce fichier est signé (Ed25519 sur ses octets) par le manifeste détaché FICHIER.sig.json ; voir docs/logbook-format.md.",
        4,
        Style::Normal,
    );
    render(&lines, header)
}

fn render(lines: &[Line], header: &PdfHeader) -> Vec<u8> {
    let pages: Vec<&[Line]> = lines.chunks(LINES_PER_PAGE).collect();
    let n = pages.len().max(1);
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let (regular, bold, sans) = (Ref::new(3), Ref::new(4), Ref::new(5));
    let page_ids: Vec<Ref> = (0..n).map(|i| Ref::new(6 + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(n as i32);
    for (id, name) in [
        (regular, "Courier"),
        (bold, "Courier-Bold"),
        (sans, "Helvetica-Bold"),
    ] {
        pdf.type1_font(id)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for (i, page_id) in page_ids.iter().enumerate() {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"R"), regular);
        fonts.pair(Name(b"B"), bold);
        fonts.pair(Name(b"H"), sans);
        fonts.finish();
        resources.finish();
        page.finish();

        let mut c = Content::new();
        c.begin_text();
        c.set_font(Name(b"H"), 11.0);
        c.next_line(MARGIN, PAGE_H - MARGIN);
        c.show(Str(&encode(&format!("{} — {}", header.site, header.title))));
        c.end_text();
        c.set_line_width(0.5);
        c.move_to(MARGIN, PAGE_H - MARGIN - 8.0);
        c.line_to(PAGE_W - MARGIN, PAGE_H - MARGIN - 8.0);
        c.stroke();
        c.begin_text();
        c.set_leading(LEADING);
        c.next_line(MARGIN, TOP);
        let mut current = None;
        for line in pages.get(i).copied().unwrap_or_default() {
            if current != Some(line.style) {
                let (font, grey) = match line.style {
                    Style::Normal => (Name(b"R"), 0.0),
                    Style::Bold => (Name(b"B"), 0.0),
                    Style::Dim => (Name(b"R"), 0.35),
                };
                c.set_font(font, BODY_SIZE);
                c.set_fill_gray(grey);
                current = Some(line.style);
            }
            c.show(Str(&encode(&line.text)));
            c.next_line_using_leading();
        }
        c.end_text();
        c.begin_text();
        c.set_fill_gray(0.0);
        c.set_font(Name(b"R"), 7.0);
        c.next_line(MARGIN, MARGIN);
        c.show(Str(&encode(&format!(
            "Page {} / {n} — export {}",
            i + 1,
            &header.fingerprint[..header.fingerprint.len().min(16)]
        ))));
        c.end_text();
        pdf.stream(content_id, &c.finish());
    }
    pdf.finish()
}
