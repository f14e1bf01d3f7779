import pytest

from service.domain.subjects import InvalidSubject, Subject, SubjectKind


def test_format_and_parse_round_trip() -> None:
    subject = Subject(SubjectKind.COURSE, "c-1:b")
    assert str(subject) == "course:c-1:b"
    assert Subject.parse("course:c-1:b") == subject
    assert Subject.parse("zoom-instance:abc==", SubjectKind.ZOOM_INSTANCE).key == "abc=="


def test_numeric_keys() -> None:
    assert Subject.parse("no-show:42", SubjectKind.NO_SHOW).number == 42
    with pytest.raises(InvalidSubject, match="number"):
        _ = Subject.parse("attendee:４２").number


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("course", None),
        ("course:", None),
        ("lesson:1", None),
        ("booking:1", SubjectKind.COURSE),
    ],
)
def test_refused(text: str, kind: SubjectKind | None) -> None:
    with pytest.raises(InvalidSubject):
        Subject.parse(text, kind)
