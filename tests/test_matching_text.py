"""Normalisation: what a message becomes before it is compared with claims."""

from __future__ import annotations

import pytest

from bot.matching.text import clean, split_clauses, split_speaker, stem, tokens, words


def norm(text: str) -> list[str]:
    return words(clean(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10,000 troops", ["10000", "troops"]),
        ("10.000 troops", ["10000", "troops"]),
        ("10 000 troops", ["10000", "troops"]),
        ("10'000 troops", ["10000", "troops"]),  # Swiss style
        ("10k troops", ["10000", "troops"]),
        ("10K troops", ["10000", "troops"]),
        ("ten thousand troops", ["10000", "troops"]),
        ("10 thousand troops", ["10000", "troops"]),
        ("ten thousands soldier", ["10000", "soldier"]),
        ("one and a half thousand troops", ["1500", "troops"]),
        # a count in the range of years is marked as one: "2,000 troops" is no date
        ("2,000 troops", ["2000.0", "troops"]),
        ("two thousand troops", ["2000.0", "troops"]),
        ("2 grand troops", ["2000.0", "troops"]),
        ("in 2000", ["in", "2000"]),
        ("10 grand worth of troops", ["10000", "worth", "of", "troops"]),
        ("thousands of troops", ["thousands", "of", "troops"]),
        ("a grand total", ["a", "grand", "total"]),
        ("1.5k troops", ["1500", "troops"]),
        ("six officers", ["6", "officers"]),
        ("one thousand five hundred men", ["1500", "men"]),
        ("a thousand men", ["1000", "men"]),
        ("twenty-one men", ["21", "men"]),
        ("654,430 soldiers", ["654430", "soldiers"]),
        ("2.5 million people", ["2500000", "people"]),
        ("3rd of May", ["3", "of", "may"]),
        ("70% of voters", ["70", "percent", "of", "voters"]),
        ("half a dozen eggs", ["6", "eggs"]),
        ("two dozen eggs", ["24", "eggs"]),
        ("a dozen eggs", ["12", "eggs"]),
    ],
)
def test_numbers_in_every_form_become_one_token(text: str, expected: list[str]) -> None:
    assert norm(text) == expected


def test_a_plain_text_handle_keeps_the_name_it_spells() -> None:
    # "@JoeBiden" typed as text names someone; a real Discord mention (<@123>) is dropped whole
    assert norm("@JoeBiden owns a mansion") == ["joe", "biden", "owns", "a", "mansion"]
    assert norm("@joe_biden owns a mansion") == ["joe", "biden", "owns", "a", "mansion"]
    assert norm("<@123> owns a mansion") == ["owns", "a", "mansion"]
    assert norm("mail me at someone@example.org") == ["mail", "me", "at", "someone", "example", "org"]


def test_half_alone_is_not_a_number() -> None:
    assert norm("half of them left") == ["half", "of", "them", "left"]


def test_a_hyphenated_prefix_is_one_word_with_or_without_the_hyphen() -> None:
    assert norm("co-operation and non-compliance") == norm("cooperation and noncompliance")
    assert norm("north-west") == ["north", "west"]


def test_one_and_a_alone_are_not_numbers() -> None:
    assert norm("the one who sent a drone") == ["the", "one", "who", "sent", "a", "drone"]


def test_fancy_fonts_full_width_and_accents_fold_to_plain_letters() -> None:
    assert norm("𝐍𝐨𝐫𝐭𝐡 𝐊𝐨𝐫𝐞𝐚") == ["north", "korea"]
    assert norm("ＮＫ ｔｒｏｏｐｓ") == ["nk", "troops"]
    assert norm("Ukraïne and Pyöngyang") == ["ukraine", "and", "pyongyang"]
    assert norm("Z̷̢̛a̸l̵g̶o̷ text") == ["zalgo", "text"]


def test_invisible_characters_are_dropped() -> None:
    assert norm("Rus\u200bsia sent\u2060 troops\u202e") == ["russia", "sent", "troops"]
    assert norm("a\u0000b\u0007c") == ["abc"]


def test_discord_markup_is_removed_or_unwrapped() -> None:
    text = (
        "<@123> <@!456> <@&789> <#42> <:pepe:123456> <a:dance:99> <t:1700000000:R> "
        "**bold** __under__ ~~strike~~ ||spoiler|| `inline` [label](https://example.com/x) "
        "https://t.co/abc www.example.org/page :joy:"
    )
    assert norm(text) == ["bold", "under", "strike", "spoiler", "inline", "label"]


def test_code_blocks_and_quotes_are_dropped() -> None:
    assert norm("> quoted line\n```py\nprint('x')\n```\nreal text") == ["quoted", "line", "real", "text"]


def test_hashtags_split_into_words() -> None:
    expected = ["fake", "news", "about", "north", "korea", "2024", "ukraine"]
    assert norm("#FakeNews about #NorthKorea2024 #ukraine") == expected


def test_us_the_country_is_not_the_pronoun_us() -> None:
    assert norm("the US told us") == ["the", "usa", "told", "us"]
    assert norm("U.S. troops") == ["usa", "troops"]


def test_negated_contractions_keep_a_separate_not() -> None:
    assert norm("they didn't send") == ["they", "did", "not", "send"]
    assert norm("they didnt send") == ["they", "did", "not", "send"]
    assert norm("it can't be") == ["it", "can", "not", "be"]
    assert norm("won't") == ["will", "not"]


def test_possessive_is_a_separate_marker() -> None:
    assert norm("Russia's Kursk region") == ["russia", "'s", "kursk", "region"]


def test_stemming_and_irregular_forms_meet() -> None:
    assert stem("soldiers") == stem("soldier")
    assert stem("deployed") == stem("deploying")
    assert stem("sent") == stem("send")
    assert stem("losses") == stem("lost") == stem("lose")


def test_tokens_are_stems_with_stopwords_kept_in_order() -> None:
    assert tokens(clean("North Korea has sent 10,000 troops to Russia")) == [
        "north", "korea", "has", "send", "10000", "troop", "to", "russia",
    ]


def test_clauses_split_on_sentences_and_dashes_and_are_capped() -> None:
    assert split_clauses(clean("First one. Second one! Third — fourth")) == [
        "first one", "second one", "third", "fourth",
    ]
    assert len(split_clauses(clean("ab. " * 1000))) == 12
    # a colon opens what is said ("fun fact from a podcast: north korea ...")
    assert split_clauses(clean("fun fact: iran sent drones")) == ["fun fact", "iran sent drones"]
    assert len(split_clauses(clean("iran killed and wounded by may 1: 12,430"))) == 1  # a figure follows
    # a dash between two figures is a range, not a break
    assert len(split_clauses(clean("around October 8-14, ships sailed"))) == 1
    assert len(split_clauses(clean("from 8 - 14 october, ships sailed"))) == 1


def test_a_full_stop_after_a_lone_letter_is_an_abbreviation() -> None:
    clauses = split_clauses(clean("N. Korean troops are in Kursk. Wild"))
    assert clauses == ["n. korean troops are in kursk", "wild"]


def test_clean_is_bounded_on_huge_input() -> None:
    assert len(clean("x" * 1_000_000)) <= 4000


def test_attribution_is_dropped_from_a_message_clause() -> None:
    from bot.matching.guards import drop_attribution

    canon = tokens(clean("kyiv's intelligence says that nk troops are in kursk, per the pentagon"))
    kept, _ = drop_attribution(canon, set())
    assert kept == ["nk", "troop", "are", "in", "kursk"]
    # a comma is no word: it neither stays at the edge nor counts towards the closing span
    canon = tokens(clean("nk troops are in kursk per kyiv's general staff, lol"))
    assert drop_attribution(canon, set())[0] == ["nk", "troop", "are", "in", "kursk"]
    # passive reporting verbs and denials are left alone
    for text in ("nk troops are said to be in kursk", "the kremlin denies nk troops are in kursk"):
        canon = tokens(clean(text))
        assert drop_attribution(canon, set())[0] == canon


def test_proper_names_are_the_capitalised_words_inside_a_sentence() -> None:
    from bot.matching.text import proper_names

    names = proper_names("Engineers reopened the bridge near Porto on Monday in October. Then Lisbon.")
    assert names == {"porto", "monday", "lisbon"}  # "Engineers" and "Then" start sentences; months are dates
    # a title-case headline capitalises small words too: they name nothing
    assert proper_names("Report: Did Porto Have More Bridges Than Lisbon?") == {"porto", "bridg", "lisbon"}


def test_split_speaker() -> None:
    assert split_speaker("nk sent troops, kyiv says") == ("nk sent troops", "kyiv says")
    assert split_speaker("nk sent troops, says kyiv.") == ("nk sent troops", "says kyiv")
    assert split_speaker("according to kyiv, nk sent troops") == ("nk sent troops", "according to kyiv")
    assert split_speaker("per the pentagon, nk sent troops") == ("nk sent troops", "per the pentagon")
    for whole in ("russia, he says, is lying", "the kremlin says nk sent troops", "according to me nk left"):
        assert split_speaker(whole) == (whole, "")
    # more than a few words before the comma are what was said, not who said it
    said = "according to the pentagon the north korean units are cobelligerents, meaning no limits"
    assert split_speaker(said) == (said, "")


@pytest.mark.parametrize("text", ["at 2am", "at 2:30 pm", "at 14:00", "at 10 pm"])
def test_a_time_of_day_is_no_figure(text: str) -> None:
    assert norm(text) == ["at"]


def test_a_half_dozen_is_six() -> None:
    assert norm("a half dozen officers") == ["a", "6", "officers"]
    assert norm("half a dozen officers") == ["6", "officers"]
    assert norm("half of the troops") == ["half", "of", "the", "troops"]


def test_an_ordinal_before_a_span_of_time_is_a_figure() -> None:
    assert norm("the second week of october") == ["the", "2", "week", "of", "october"]
    assert norm("the 2nd week of october") == norm("the second week of october")
    assert norm("at first it was fine") == ["at", "first", "it", "was", "fine"]
    assert tokens(clean("oct 3")) == tokens(clean("October 3"))


def test_k_after_a_figure_is_thousand() -> None:
    assert norm("ten k of his guys") == ["10000", "of", "his", "guys"]
    assert norm("1.5 k troops") == ["1500", "troops"]
    assert norm("ok k") == ["ok", "k"]


def test_chat_spellings_of_small_words() -> None:
    chat = tokens(clean("drones ovr pyongyang frm seoul w love"))
    assert chat == tokens(clean("drones over pyongyang from seoul with love"))
    assert tokens(clean("over the capitol")) == tokens(clean("over the capital"))


def test_an_s_before_a_verb_is_is_not_whose() -> None:
    assert tokens(clean("russia's going to send troops")) == tokens(clean("russia is going to send troops"))
    assert tokens(clean("kim's troops"))[1] == "'s"
    # a verb in -ing is one too, unless "of" makes it a noun ("Russia's bombing of Kyiv")
    assert tokens(clean("iran's lending syria drones")) == tokens(clean("iran is lending syria drones"))
    assert tokens(clean("russia's bombing of kyiv"))[1] == "'s"
    # ... and so is an adverb
    adverb = tokens(clean("iran's actually gonna send drones"))
    assert adverb == tokens(clean("iran is actually gonna send drones"))


def test_military_with_no_noun_after_it_is_the_forces() -> None:
    assert tokens(clean("it sent its military to russia")) == tokens(clean("it sent its troops to russia"))
    assert tokens(clean("military technology"))[0] == "militari"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on 3.10.2024", ["on", "3", "october", "2024"]),
        ("on 3-10-2024", ["on", "3", "october", "2024"]),
        ("on 2024-10-03", ["on", "3", "october", "2024"]),
        ("on 10/31/2024", ["on", "31", "october", "2024"]),
        ("on 31/10/2024", ["on", "31", "october", "2024"]),
        ("on 3/10/2024", ["on", "2024"]),  # 3 October or March 10: only the year is sure, as with "10/3"
        ("on 99.99.2024", ["on", "99.99", "2024"]),
        # without the year, after a word that says when
        ("by 31.10", ["by", "31", "october"]),
        ("on 10/3", ["on"]),  # October 3 or 10 March: no figures either way
        ("rated 3/10", ["rated", "3", "10"]),  # no word that says when: not a date
        ("killed 03.10", ["killed"]),  # a leading zero: a date, though which day of which month is unsure
        ("killed 31.03", ["killed", "31", "march"]),
    ],
)
def test_numeric_dates_read_as_day_month_year(text: str, expected: list[str]) -> None:
    assert norm(text) == expected


def test_a_figure_glued_to_letters_is_no_figure_before_a_scale() -> None:
    # a word such as "6y" before "k" or "thousand" is left as it is (it once raised)
    assert words("6y k") == ["6y", "k"]
    assert words("1e5 thousand") == ["1e5", "1000"]


def test_a_later_clause_that_points_back_takes_the_first_clauses_subject() -> None:
    from bot.matching.text import coordinated_parts

    compound = "Cuban doctors are treating patients in Brazil, and the state pays them in dollars."
    assert coordinated_parts(compound) == [
        "Cuban doctors are treating patients in Brazil",
        "the state pays Cuban doctors in dollars.",
    ]
    # no subject found before an auxiliary verb: the clause that points back is left out
    strike = "The miners went on strike in May, and their union says they will not return."
    assert coordinated_parts(strike) == ["The miners went on strike in May"]


def test_zero_before_a_noun_denies_as_no_does() -> None:
    assert tokens(clean("zero proof of it")) == tokens(clean("no proof of it"))


def test_a_verb_whose_stem_is_another_noun_keeps_its_form() -> None:
    # "kim shipped his army out" is about sending, not about ships
    shipped, ships, ship = (tokens(clean(text))[-1] for text in ("kim shipped", "russian ships", "a ship"))
    assert shipped != ships == ship
