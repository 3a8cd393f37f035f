"""Read a .docx with python-docx and print what a reader of it finds, as JSON.

Used by tests/it/docx.rs: `python docx_readback.py FILE.docx`. python-docx (PyPI, 1.2.0)
is an independent reader: what it finds is what Word-compatible tools find.
"""

import json
import sys

import docx


def para(p):
    return {
        "style": p.style.name if p.style is not None else None,
        "text": p.text,
        "page_break_before": bool(p.paragraph_format.page_break_before),
    }


def main(path):
    d = docx.Document(path)
    paragraphs = [para(p) for p in d.paragraphs]
    sections = []
    for s in d.sections:
        footer_xml = s.footer._element.xml
        sections.append(
            {
                "width_mm": round(s.page_width.mm, 1),
                "height_mm": round(s.page_height.mm, 1),
                "margins_mm": [
                    round(m.mm, 1)
                    for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)
                ],
                "header": [p.text for p in s.header.paragraphs],
                "footer": [p.text for p in s.footer.paragraphs],
                "footer_has_page": ">PAGE<" in footer_xml,
                "footer_has_numpages": ">NUMPAGES<" in footer_xml,
            }
        )
    header_rows = []
    for t in d.tables:
        rows = t._tbl.tr_lst
        header_rows.append(
            sum(1 for r in rows if r.trPr is not None and r.trPr.xpath("./w:tblHeader"))
        )
    out = {
        "title": d.core_properties.title,
        "language": d.core_properties.language,
        "created": d.core_properties.created.isoformat() if d.core_properties.created else None,
        "paragraphs": paragraphs,
        "headings": [p for p in paragraphs if p["style"] and p["style"].startswith("Heading")],
        "tables": [[[c.text for c in r.cells] for r in t.rows] for t in d.tables],
        "table_header_rows": header_rows,
        "sections": sections,
        "east_asia": [str(v) for v in d.styles.element.xpath("./w:docDefaults//w:rFonts/@w:eastAsia")],
        "style_names": sorted(s.name for s in d.styles),
    }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
