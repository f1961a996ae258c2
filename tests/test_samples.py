"""nst.samples: every shipped sample has its provenance row, and CC BY rows name who to credit."""

from nst import samples


def test_every_shipped_sample_has_a_provenance_row_and_every_row_a_file():
    shipped = {f"{role}/{path.name}" for role in samples.ROLES for path in samples.sample_files(role)}
    assert shipped == set(samples.provenance_table())


def test_credit_rows_name_a_photographer_and_terms_are_read_whole(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        "| file | subject | terms |\n| --- | --- | --- |\n"
        "| content/a.jpg | a bridge | CC BY 2.0, photographer X | extra |\n| masks/m.png | a mask | none |\n"
    )
    table = samples.provenance_table(readme)
    assert list(table) == ["content/a.jpg"]  # masks are no samples; the header row is no file
    assert table["content/a.jpg"].terms == "CC BY 2.0, photographer X | extra"
    assert table["content/a.jpg"].needs_credit
    for row in samples.provenance_table().values():
        if row.needs_credit:
            assert "photographer" in row.terms


def test_the_study_has_enough_photos_and_paintings():
    assert len(samples.sample_files("content")) >= 12 and len(samples.sample_files("style")) >= 10
