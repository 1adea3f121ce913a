"""Claim import/export formats: claims/v1 and schema.org ClaimReview."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.claims import (
    CLAIM_ID_PATTERN,
    MAX_ALIAS,
    MAX_NOTE,
    MAX_PARTY,
    MAX_QUOTE,
    MAX_TEXT,
    Claim,
    Stance,
    Statement,
    Status,
)
from bot.formats import (
    MAX_INPUT_BYTES,
    FormatError,
    derive_claim_id,
    dump_claims,
    parse_claims,
    parse_status_map,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "db" / "seed" / "claims.json"
DATA = Path(__file__).resolve().parent / "data" / "formats"


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def native(*claims: dict, **top) -> bytes:
    return json.dumps({"format": "claims/v1", **top, "claims": list(claims)}).encode()


def good_claim(**fields) -> dict:
    claim = {
        "id": "sky-is-green",
        "text": "The sky is green.",
        "status": "alleged",
        "statements": [{"party": "A blog", "stance": "alleges"}],
    }
    claim.update(fields)
    return claim


def refusal(data: bytes, **kwargs) -> str:
    with pytest.raises(FormatError) as caught:
        parse_claims(data, **kwargs)
    return str(caught.value)


# -- claims/v1: the seed ---------------------------------------------------------------------------


def test_seed_parses_to_fourteen_claims_with_statuses_and_statements():
    claims = parse_claims(SEED.read_bytes())
    assert len(claims) == 14
    by_id = {claim.id: claim for claim in claims}
    assert Counter(claim.status for claim in claims) == {
        Status.ALLEGED: 9,
        Status.UNEVIDENCED: 4,
        Status.DENIED: 1,
    }

    troops = by_id["nk-troops-10000-in-russia"]
    assert troops.status is Status.ALLEGED
    assert troops.aliases == ("North Korea has sent about 10,000 troops to Russia.",)
    assert [(s.party, s.stance) for s in troops.statements] == [
        ("United States Department of Defense (Pentagon)", Stance.ALLEGES),
        ("NATO Secretary-General Mark Rutte", Stance.ALLEGES),
        ("Kremlin spokesman Dmitry Peskov", Stance.DENIES),
    ]
    assert troops.statements[0].stated_on == date(2024, 10, 28)
    assert troops.statements[1].quote == "a significant escalation"
    assert troops.statements[2].stated_on is None

    arms = by_id["nk-arms-to-russia"]
    assert arms.status is Status.DENIED
    assert [s.party for s in arms.statements if s.stance is Stance.DENIES] == ["North Korea", "Russia"]

    assert by_id["russia-could-invoke-pact-over-kursk"].statements == ()
    assert by_id["nk-troops-deployed-to-russia"].note.startswith("Ukraine, South Korea and the US")
    assert all(claim.guild_id is None and not claim.archived for claim in claims)


def test_seed_top_level_source_applies_to_every_statement():
    claims = parse_claims(SEED.read_bytes())
    statements = [statement for claim in claims for statement in claim.statements]
    assert statements
    # The seed's source names a publisher but no title or URL.
    assert {s.publisher for s in statements} == {"Al Jazeera"}
    assert {s.source_url for s in statements} == {None}
    assert {s.source_title for s in statements} == {None}


def test_top_level_source_fills_only_missing_fields_and_text_is_cleaned():
    [claim] = parse_claims(fixture("claims_with_source.json"))
    assert claim.text == "The minister resigned on Monday."
    assert claim.guild_id == 123456789012345678
    assert claim.note is None  # blank optional text means "not given"
    assert claim.aliases == ("The minister quit.", "The minister stepped down.")
    alleges, denies = claim.statements
    assert alleges == Statement(
        party="Opposition leader",
        stance=Stance.ALLEGES,
        stated_on=date(2024, 10, 28),
        quote="he is gone",
        source_url="https://news.example.com/2024/10/ministers",
        source_title="Ministers trade accusations",
        publisher="Example News",
    )
    assert denies.source_url == "https://gov.example.org/statement"
    assert denies.source_title == "Statement"
    assert denies.publisher == "Government press office"
    assert denies.quote is None


def test_byte_order_mark_is_accepted():
    assert len(parse_claims(b"\xef\xbb\xbf" + SEED.read_bytes())) == 14


# -- refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        (good_claim(status="maybe"), "claim 2 (id 'sky-is-green'): status: 'maybe' is not one of alleged"),
        (good_claim(status="Alleged"), "claim 2 (id 'sky-is-green'): status: 'Alleged' is not one of"),
        (
            good_claim(statements=[{"party": "A blog", "stance": "suggests"}]),
            "claim 2 (id 'sky-is-green'): statements[0].stance: 'suggests' is not one of alleges, denies",
        ),
        (good_claim(text=""), "claim 2 (id 'sky-is-green'): text: must not be empty"),
        (good_claim(text="   "), "claim 2 (id 'sky-is-green'): text: must not be empty"),
        (
            good_claim(text="x" * (MAX_TEXT + 1)),
            f"claim 2 (id 'sky-is-green'): text: is {MAX_TEXT + 1} characters long, at most {MAX_TEXT}",
        ),
        (
            good_claim(statements=[{"party": "A blog", "stance": "alleges", "source_url": "ftp://x.org/a"}]),
            "claim 2 (id 'sky-is-green'): statements[0].source_url: 'ftp://x.org/a' is not an http(s) URL",
        ),
        (
            good_claim(statements=[{"party": "A", "stance": "alleges", "source_url": "javascript:alert(1)"}]),
            "statements[0].source_url: 'javascript:alert(1)' is not an http(s) URL",
        ),
        (
            good_claim(statements=[{"party": "A", "stance": "alleges", "source_url": "https:///path"}]),
            "statements[0].source_url: 'https:///path' has no host",
        ),
        (
            good_claim(statements=[{"party": "A blog", "stance": "alleges", "stated_on": "2024-02-30"}]),
            "claim 2 (id 'sky-is-green'): statements[0].stated_on: '2024-02-30' is not a real date",
        ),
        (
            good_claim(statements=[{"party": "A blog", "stance": "alleges", "stated_on": "30/10/2024"}]),
            "statements[0].stated_on: '30/10/2024' is not an ISO date",
        ),
        (good_claim(text=5), "claim 2 (id 'sky-is-green'): text: expected a string, got the number 5"),
        (
            good_claim(statements="x"),
            "claim 2 (id 'sky-is-green'): statements: expected a list, got the string 'x'",
        ),
        (good_claim(aliases=[""]), "claim 2 (id 'sky-is-green'): aliases[0]: must not be empty"),
        (good_claim(aliases=["x" * (MAX_ALIAS + 1)]), "aliases[0]: is 1001 characters long"),
        (good_claim(note="n" * (MAX_NOTE + 1)), "claim 2 (id 'sky-is-green'): note: is 1001 characters long"),
        (
            good_claim(statements=[{"party": "p" * (MAX_PARTY + 1), "stance": "alleges"}]),
            "statements[0].party: is 201 characters long",
        ),
        (
            good_claim(statements=[{"party": "A", "stance": "alleges", "quote": "q" * (MAX_QUOTE + 1)}]),
            "statements[0].quote: is 501 characters long",
        ),
        (
            good_claim(text="null\x00byte"),
            "claim 2 (id 'sky-is-green'): text: contains a control character (U+0000)",
        ),
        (good_claim(text="bell\x07"), "text: contains a control character (U+0007)"),
        (
            good_claim(guild_id="123"),
            "claim 2 (id 'sky-is-green'): guild_id: expected an integer, got the string",
        ),
        (good_claim(guild_id=-1), "guild_id: -1 is not a Discord server id"),
        (good_claim(statment=[]), "claim 2 (id 'sky-is-green'): statment: is not a known field"),
        (good_claim(id="Sky Is Green"), "claim 2 (id 'Sky Is Green'): id: 'Sky Is Green' is not a valid id"),
        ({"text": "No id here.", "status": "alleged"}, "claim 2: id: is required"),
        ("just a string", "claim 2: expected an object, got the string 'just a string'"),
    ],
)
def test_bad_claim_is_refused_naming_claim_and_field(claim, expected):
    message = refusal(native(good_claim(id="fine"), claim))
    assert expected in message


def test_duplicate_id_is_refused():
    message = refusal(native(good_claim(), good_claim(text="Another text."), good_claim(id="other")))
    assert message == "claim 2 (id 'sky-is-green'): id: 'sky-is-green' is already used by claim 1"


def test_text_with_newlines_and_tabs_is_allowed():
    [claim] = parse_claims(native(good_claim(text="Line one,\n\tline two.")))
    assert claim.text == "Line one,\n\tline two."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (native(), None),  # an empty file of claims is valid
        (
            json.dumps({"format": "claims/v1", "claims": {}}).encode(),
            "claims: expected a list, got an object",
        ),
        (json.dumps({"format": "claims/v1"}).encode(), "claims: is missing"),
        (
            json.dumps({"format": "claims/v2", "claims": []}).encode(),
            "format is 'claims/v2'; this importer reads",
        ),
        (json.dumps({"claims": []}).encode(), "format is missing; this importer reads 'claims/v1'"),
        (
            native(source={"url": "file:///etc/passwd"}),
            "file: source.url: 'file:///etc/passwd' is not an http(s)",
        ),
        (native(extra=1), "file: extra: is not a known field"),
        ('{"format": "claims/v1", "claims": []}'.encode("utf-16"), "not UTF-8"),
        ('{"format": "claims/v1", "claims": ["é"]}'.encode("latin-1"), "not UTF-8"),
        (b"format: claims/v1\nclaims: []\n", "not valid JSON"),
        (b"", "not valid JSON"),
        (b'{"format": "claims/v1", "format": "claims/v1", "claims": []}', "key 'format' appears twice"),
        (b'{"format": "claims/v1", "claims": [NaN]}', "NaN is not allowed"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
        (b'{"format": "claims/v1", "claims": []}\x00\x00', "binary"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nested too deeply"),
        (b"42", "neither a claims/v1 document nor ClaimReview"),
    ],
)
def test_bad_file_is_refused(data, expected):
    if expected is None:
        assert parse_claims(data) == []
    else:
        assert expected in refusal(data)


def test_huge_file_is_refused_before_parsing():
    data = b" " * (MAX_INPUT_BYTES + 1)
    assert "larger than the" in refusal(data)


def test_text_instead_of_bytes_is_refused():
    with pytest.raises(FormatError):
        parse_claims(SEED.read_text())  # type: ignore[arg-type]


def test_many_problems_are_listed_and_capped():
    bad = [good_claim(id=f"claim-{n}", status="nope") for n in range(100)]
    with pytest.raises(FormatError) as caught:
        parse_claims(native(*bad))
    assert len(caught.value.problems) == 100
    message = str(caught.value)
    assert message.startswith("100 problems:\n- claim 1 (id 'claim-0'): status:")
    assert "claim 20 (id 'claim-19')" in message
    assert "claim 21 (id 'claim-20')" not in message
    assert message.endswith("- ... and 80 more")


def test_one_bad_claim_refuses_the_whole_file():
    with pytest.raises(FormatError) as caught:
        parse_claims(native(good_claim(id="a"), good_claim(id="b", status="x"), good_claim(id="c")))
    assert caught.value.problems == [
        "claim 2 (id 'b'): status: 'x' is not one of alleged, denied, unevidenced"
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=30,
)
claim_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=10) | json_values,
        "text": st.text(max_size=10) | json_values,
        "status": st.sampled_from(["alleged", "denied", "x"]) | json_values,
        "aliases": json_values,
        "statements": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "party": json_values,
                    "stance": st.sampled_from(["alleges", "nope"]) | json_values,
                    "stated_on": st.sampled_from(["2024-01-01", "2024-13-01", "x"]) | json_values,
                    "source_url": st.sampled_from(["https://a.b/", "http://[::1", "http://x:99999"])
                    | json_values,
                },
            ),
            max_size=3,
        )
        | json_values,
        "guild_id": json_values,
    },
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_arbitrary_input_gives_claims_or_format_error(data):
    try:
        assert isinstance(parse_claims(data), list)
    except FormatError as error:
        assert str(error)


def claimreview_like(raw: dict) -> dict:
    """The same random values, placed where ClaimReview keeps them."""
    statements = raw.get("statements")
    first = statements[0] if isinstance(statements, list) and statements else {}
    first = first if isinstance(first, dict) else {"party": first}
    review = {
        "@type": "ClaimReview",
        "identifier": raw.get("id"),
        "claimReviewed": raw.get("text"),
        "reviewRating": {"alternateName": raw.get("status")},
        "itemReviewed": {
            "author": first.get("party"),
            "datePublished": first.get("stated_on"),
            "appearance": {"url": first.get("source_url")},
            "alternateName": raw.get("aliases"),
        },
    }
    if "guild_id" in raw:
        review["claimbot:statements"] = raw.get("statements")
        review["claimbot:guildId"] = raw["guild_id"]
    return review


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(claim_like, max_size=3), st.sampled_from(["claims", "claimreview"]))
def test_arbitrary_claim_objects_give_claims_or_format_error(raw_claims, shape):
    if shape == "claims":
        data = native(*raw_claims)
    else:
        data = json.dumps([claimreview_like(raw) for raw in raw_claims]).encode()
    try:
        parse_claims(data)
    except FormatError as error:
        assert str(error)


# -- ClaimReview import ---------------------------------------------------------------------------


def test_claimreview_single_object():
    [claim] = parse_claims(fixture("claimreview_single.json"))
    text = "Russia blocked every grain ship leaving Odesa in October."
    assert claim == Claim(
        id=derive_claim_id(text),
        text=text,
        status=Status.UNEVIDENCED,  # "Unevidenced": our statuses match case-insensitively
        statements=(
            Statement(
                party="Ministry of Agriculture",
                stance=Stance.ALLEGES,
                stated_on=date(2024, 10, 30),  # the datetime keeps its date
                source_url="https://news.example.com/2024/10/30/grain",
            ),
        ),
    )


def test_claimreview_array_needs_a_status_map_for_foreign_ratings():
    message = refusal(fixture("claimreview_array.json"))
    assert message == (
        "claim 2: reviewRating.alternateName 'False' is not a claimbot status "
        '(alleged, denied, unevidenced); map it with --status-map "False=<status>"'
    )


def test_claimreview_array_with_status_map():
    first, second = parse_claims(fixture("claimreview_array.json"), status_map={"false": Status.DENIED})
    assert first.id == "drone-strike-kyiv-power"
    assert first.status is Status.ALLEGED
    assert [(s.party, s.stance, s.stated_on, s.source_url) for s in first.statements] == [
        ("Mayor Vitali Klitschko", Stance.ALLEGES, date(2024, 10, 12), "https://news.example.com/kyiv-power"),
        ("Ukrenergo", Stance.ALLEGES, date(2024, 10, 12), "https://news.example.com/kyiv-power"),
    ]
    assert second.status is Status.DENIED
    assert second.id == derive_claim_id("Germany has stopped all tank deliveries to Ukraine.")
    # No appearance: the review's own url is the source.
    assert second.statements == (
        Statement(
            "A viral social media post",
            Stance.ALLEGES,
            source_url="https://factcheck.example.org/reviews/tanks",
        ),
    )


def test_claimreview_graph_skips_other_nodes_and_derives_ids():
    mapping = parse_status_map("Mostly false=unevidenced")
    bridge, outage = parse_claims(fixture("claimreview_graph.json"), status_map=mapping)
    assert bridge.status is Status.DENIED
    assert bridge.id == derive_claim_id("The bridge was closed for a week.")  # "Not A Slug!" is no id
    assert [s.party for s in bridge.statements] == ["Regional governor", "Local police"]
    assert outage.status is Status.UNEVIDENCED
    assert outage.statements == ()


def test_status_map_overrides_our_own_names():
    data = fixture("claimreview_single.json")
    [claim] = parse_claims(data, status_map={"UNEVIDENCED": Status.DENIED})
    assert claim.status is Status.DENIED


def test_explicit_format_must_match_the_file():
    assert "format is missing" in refusal(fixture("claimreview_single.json"), format="claims")
    assert "no ClaimReview objects" in refusal(SEED.read_bytes(), format="claimreview")


@pytest.mark.parametrize(
    ("review", "expected"),
    [
        ({"reviewRating": {"alternateName": "alleged"}}, "claim 1: claimReviewed: is required"),
        (
            {"claimReviewed": "", "reviewRating": {"alternateName": "alleged"}},
            "claim 1: claimReviewed: must not be empty",
        ),
        ({"claimReviewed": "X happened."}, "claim 1: reviewRating: is missing"),
        (
            {"claimReviewed": "X happened.", "reviewRating": {"ratingValue": 1}},
            "reviewRating.alternateName: is missing",
        ),
        (
            {
                "claimReviewed": "X.",
                "reviewRating": {"alternateName": "alleged"},
                "itemReviewed": {"author": 7},
            },
            "claim 1: itemReviewed.author: expected a name (a string or an object with a name), "
            "got the number 7",
        ),
        (
            {
                "claimReviewed": "X.",
                "reviewRating": {"alternateName": "alleged"},
                "itemReviewed": {"author": ["ok", {"@type": "Person"}]},
            },
            "claim 1: itemReviewed.author[1].name: expected a name",
        ),
        (
            {
                "identifier": "x-1",
                "claimReviewed": "X.",
                "reviewRating": {"alternateName": "alleged"},
                "itemReviewed": {"author": "A", "datePublished": "2023-02-29"},
            },
            "claim 1 (id 'x-1'): itemReviewed.datePublished: '2023-02-29' is not a real date",
        ),
        (
            {
                "claimReviewed": "X.",
                "reviewRating": {"alternateName": "alleged"},
                "itemReviewed": {"author": "A", "appearance": {"url": "mailto:a@b.c"}},
            },
            "claim 1: itemReviewed.appearance[0].url: 'mailto:a@b.c' is not an http(s) URL",
        ),
        (
            {"claimReviewed": "X.", "reviewRating": {"alternateName": "alleged"}, "claimbot:statements": "x"},
            "claim 1: claimbot:statements: expected a list, got the string 'x'",
        ),
        (
            {
                "claimReviewed": "X.",
                "reviewRating": {"alternateName": "alleged"},
                "claimbot:statements": [{"party": "A", "stance": "maybe"}],
            },
            "claim 1: claimbot:statements[0].stance: 'maybe' is not one of alleges, denies",
        ),
    ],
)
def test_bad_claimreview_is_refused_naming_claim_and_field(review, expected):
    data = json.dumps(
        {"@context": "https://schema.org", "@graph": [{"@type": "ClaimReview", **review}]}
    ).encode()
    assert expected in refusal(data)


def test_claimreview_same_text_twice_is_a_duplicate():
    review = {"@type": "ClaimReview", "claimReviewed": "Same.", "reviewRating": {"alternateName": "alleged"}}
    message = refusal(json.dumps([review, {**review, "claimReviewed": "  same. "}]).encode())
    assert f"claim 2: id: '{derive_claim_id('Same.')}' is already used by claim 1" in message


def test_claimreview_without_reviews_is_refused():
    data = json.dumps({"@context": "https://schema.org", "@graph": [{"@type": "Organization"}]}).encode()
    assert refusal(data) == "the file contains no ClaimReview objects"


# -- status maps ----------------------------------------------------------------------------------


def test_parse_status_map():
    assert parse_status_map("False=denied, Mostly false = Denied,true=alleged,") == {
        "False": Status.DENIED,
        "Mostly false": Status.DENIED,
        "true": Status.ALLEGED,
    }
    assert parse_status_map("") == {}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("False", "status map: 'False' is not of the form rating=status"),
        ("=denied", "is not of the form rating=status"),
        ("False=wrong", "status map: 'wrong' (for 'False') is not one of alleged, denied, unevidenced"),
        ("False=denied,false=alleged", "status map: 'false' is mapped twice, to different statuses"),
    ],
)
def test_bad_status_map_is_refused(spec, expected):
    with pytest.raises(FormatError) as caught:
        parse_status_map(spec)
    assert expected in str(caught.value)


# -- derived ids -----------------------------------------------------------------------------------


def test_derived_id_is_stable_readable_and_ignores_case_and_spacing():
    claim_id = derive_claim_id("North Korea has sent 10,000 troops to Russia!")
    assert claim_id.startswith("north-korea-has-sent-10-000-troops-to-russia-")
    assert claim_id == derive_claim_id("  north korea has SENT 10,000   troops to Russia! ")
    assert claim_id != derive_claim_id("North Korea has sent 12,000 troops to Russia!")


def test_derived_id_keeps_long_texts_with_a_common_start_apart():
    start = "The committee published a long report on the events of the autumn "
    first, second = derive_claim_id(start + "and blamed A."), derive_claim_id(start + "and blamed B.")
    assert first != second
    assert first[:50] == second[:50]


def test_derived_id_for_text_without_latin_letters_is_the_hash():
    claim_id = derive_claim_id("Войска КНДР в Курской области.")
    assert CLAIM_ID_PATTERN.match(claim_id)
    assert len(claim_id) == 8


@given(st.text(min_size=1, max_size=300))
def test_derived_id_is_always_a_valid_id(text):
    assert CLAIM_ID_PATTERN.match(derive_claim_id(text))


# -- export and round trips ------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["claims", "claimreview"])
def test_seed_round_trips(format):
    claims = parse_claims(SEED.read_bytes())
    exported = dump_claims(claims, format)
    assert parse_claims(exported) == claims
    assert parse_claims(exported, format=format) == claims


def test_native_export_has_the_seed_shape_and_omits_nulls():
    claims = parse_claims(fixture("claims_with_source.json"))
    document = json.loads(dump_claims(claims))
    assert document["format"] == "claims/v1"
    [claim] = document["claims"]
    assert "note" not in claim
    assert claim["guild_id"] == 123456789012345678
    assert claim["statements"][0] == {
        "party": "Opposition leader",
        "stance": "alleges",
        "stated_on": "2024-10-28",
        "quote": "he is gone",
        "source_url": "https://news.example.com/2024/10/ministers",
        "source_title": "Ministers trade accusations",
        "publisher": "Example News",
    }
    assert "quote" not in claim["statements"][1]


def test_claimreview_export_is_schema_org_claimreview():
    claims = parse_claims(SEED.read_bytes())
    document = json.loads(dump_claims(claims, "claimreview"))
    assert document["@context"][0] == "https://schema.org"
    reviews = document["@graph"]
    assert len(reviews) == 14
    assert {review["@type"] for review in reviews} == {"ClaimReview"}
    arms = next(review for review in reviews if review["identifier"] == "nk-arms-to-russia")
    assert arms["reviewRating"]["alternateName"] == "denied"
    assert arms["itemReviewed"]["@type"] == "Claim"
    # Only the parties making the claim are its authors; the denials live in claimbot:statements.
    assert [author["name"] for author in arms["itemReviewed"]["author"]] == [
        "United States",
        "South Korea",
        "Ukraine",
    ]
    assert [s["stance"] for s in arms["claimbot:statements"]].count("denies") == 2


def test_claimreview_export_without_extensions_still_imports_standard_fields():
    claim = Claim(
        id="bridge-closed",
        text="The bridge was closed.",
        status=Status.ALLEGED,
        statements=(
            Statement("Governor", Stance.ALLEGES, date(2024, 5, 2), source_url="https://n.example/a"),
            Statement("Mayor", Stance.ALLEGES, date(2024, 5, 1), source_url="https://n.example/a"),
            Statement("Police", Stance.DENIES, date(2024, 5, 3)),
        ),
    )
    document = json.loads(dump_claims([claim], "claimreview"))
    del document["@graph"][0]["claimbot:statements"]
    [plain] = parse_claims(json.dumps(document).encode())
    assert plain.id == "bridge-closed"
    assert [(s.party, s.stance, s.stated_on, s.source_url) for s in plain.statements] == [
        ("Governor", Stance.ALLEGES, date(2024, 5, 1), "https://n.example/a"),
        ("Mayor", Stance.ALLEGES, date(2024, 5, 1), "https://n.example/a"),
    ]


def test_dump_refuses_unknown_format():
    with pytest.raises(ValueError, match="unknown format"):
        dump_claims([], "csv")  # type: ignore[arg-type]


# Values as the parser leaves them: stripped, no control characters, within limits.
def clean_text(max_size: int, min_size: int = 1) -> st.SearchStrategy[str]:
    alphabet = st.characters(exclude_categories=("Cc", "Cs"))
    return (
        st.text(alphabet, min_size=min_size, max_size=max_size)
        .map(str.strip)
        .filter(lambda text: len(text) >= min_size)
    )


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


urls = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}.example/{path}",
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9/_.%-]{0,30}", fullmatch=True),
)
statements = st.builds(
    Statement,
    party=clean_text(MAX_PARTY),
    stance=st.sampled_from(Stance),
    stated_on=optional(st.dates()),
    quote=optional(clean_text(MAX_QUOTE)),
    source_url=optional(urls),
    source_title=optional(clean_text(50)),
    publisher=optional(clean_text(50)),
)
claims_strategy = st.builds(
    Claim,
    id=st.from_regex(CLAIM_ID_PATTERN, fullmatch=True),
    text=clean_text(200),
    status=st.sampled_from(Status),
    guild_id=optional(st.integers(1, 2**63 - 1)),
    note=optional(clean_text(200)),
    aliases=st.lists(clean_text(50), max_size=3, unique_by=lambda a: " ".join(a.casefold().split())).map(
        tuple
    ),
    statements=st.lists(statements, max_size=4).map(tuple),
    archived=st.booleans(),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(claims_strategy, max_size=5, unique_by=lambda claim: claim.id),
    st.sampled_from(["claims", "claimreview"]),
)
def test_export_then_import_gives_equal_claims(claims, format):
    assert parse_claims(dump_claims(claims, format)) == claims
