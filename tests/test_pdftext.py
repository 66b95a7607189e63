"""Line-level repairs on pdfminer's output."""
from indexer.extract.pdftext import Line, normalise, reading_order


def line(text, x0, top, x1=None):
    return Line(text=text, page=1, x0=x0, x1=x1 or x0 + 5 * len(text), top=top, bottom=top + 12, size=10,
                bold=False, italic=False, link=False, link_chars=0, page_height=842, page_width=595)


def two_columns(top_rows):
    lines = []
    for top in top_rows:
        lines.append(line("venstre spalte tekst", 60, top, x1=280))
        lines.append(line("høyre spalte tekst", 306, top, x1=530))
    return lines


def test_a_split_justified_line_is_joined_in_reading_order():
    lines = two_columns([100, 114, 128])
    # The right-hand piece of a stretched line came out first.
    lines += [line("rammes spesielt", 194, 142, x1=286), line("vandrerbakgrunn", 60, 142, x1=184)]
    merged = reading_order(lines)
    assert "vandrerbakgrunn rammes spesielt" in [merged_line.text for merged_line in merged]


def test_lines_of_two_columns_on_one_baseline_stay_apart():
    lines = two_columns([100, 114, 128]) + [line("mot sabotasje krever", 60, 142, x1=262),
                                             line("Virksomheter i Norge", 320, 142, x1=500)]
    texts = [merged_line.text for merged_line in reading_order(lines)]
    assert "mot sabotasje krever" in texts and "Virksomheter i Norge" in texts


def test_ligatures_soft_hyphens_and_footnote_marks():
    assert normalise("e\ufb00ekt og ﬁnansiering") == "effekt og finansiering"
    assert normalise("inte\u00adgrering") == "integrering"
    assert normalise("responsraten¹ langs") == "responsraten langs"
    assert normalise("¹ Responsrate er målt") == "¹ Responsrate er målt"
