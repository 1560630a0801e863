"""KS's own words held to the figures: the config's headline, lede and quotes as claims.

A sentence from the user is read clause by clause (a clause ends at «.», «;», «:», «, men»,
«, mens», « – ») for what it claims, in bokmål and nynorsk:

- **the unit it names**: a municipality or county authority by any official name form
  («Larvik», «Guovdageaidnu», «Vestfold fylkeskommune»), a county's municipalities
  («kommunene i Vestfold», or the county's name alone), the country («landet»,
  «kommunene uten Oslo», «kommuneøkonomien» in the sector report), the county authorities
  («fylkeskommunene»), the sector («kommunesektoren»: both the municipalities and the
  county authorities); «kommunene» alone is the report's own municipalities, «kommunen»
  the member of a member's report. A clause that names none is about the unit of the
  clause before it, or the report's own;
- **how many**: counts in digits and words («17 av 38», «to av seks», «én av seks»,
  «12 kommuner»), «hver tredje» (within two percentage points, as the report's own
  sentences), «flertallet», «de fleste», «halvparten», «mindre enn halvparten», «ingen»,
  «alle»; vague ones («mange», «flere», «noen») are not checked;
- **numbers**: percentages («3,5 prosent», «−1,4 %», «minus 1,4») of netto driftsresultat,
  or of disposisjonsfond when the clause speaks of the fund; percentage points of a change
  or a gap to the norm or the country; a number is the printed figure rounded to the
  number's own decimals; «over», «under», «mer enn», «drøyt», «nesten» … compare;
- **sign**: «minus», «underskudd», «i minus» (below zero as shown), «overskudd», «i pluss»
  (above zero), «i balanse» (zero); a number said of a deficit is a negative figure;
- **direction**, in every inflection: «bedre», «bedret», «forbedring», «styrket»,
  «svakere», «svekket», «forverring», «økte», «falt» … of the result; «vokste», «økte»,
  «krympet», «forsvant» of a deficit or a surplus; «tilbake i pluss», «fortsatt
  underskudd», «snudde et underskudd til et overskudd»;
- **the norm**: «over normen», «under norma», «nådde normen», «på normen», «over anbefalt
  nivå» (TBU: 1,75 % for municipalities, 4 % for county authorities); and «ikke»/«ikkje»
  turns a claim round.

Each claim is held to the figures of the unit it names (``Figures``, from the report's
data): true claims pass, false ones are refused with one line quoting the words and the
figure, and a claim that cannot be tied to a figure (no unit, no figure for the year, a
vague quantifier, a direction of something the tool has no figure for) is *unchecked*:
a warning naming the words, never a silent pass. The year is the report's unless the
clause names another («i 2024», «året før»; «i fjor» is the accounting year the report
is about).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from kommunerapport.model.regions import Register

# ---------------------------------------------------------------------- what a claim names


@dataclass(frozen=True)
class Ref:
    """A unit or set of units a claim can name.

    ``kind``: «municipality» (number), «county» (a county's municipalities, by county
    number), «county_authority» (county number), «national» (the municipalities
    without Oslo), «national_with_oslo», «county_authorities» (without Oslo), «sector» (the
    municipalities without Oslo and the county authorities).
    """

    kind: str
    number: str = ""


NATIONAL, AUTHORITIES, SECTOR = Ref("national"), Ref("county_authorities"), Ref("sector")
WITH_OSLO = Ref("national_with_oslo")


@dataclass(frozen=True)
class Tally:
    """How many of the units that reported meet a condition in a year."""

    count: int
    reported: int
    total: int


@dataclass(frozen=True)
class Figures:
    """What claims about one unit (or set) are held to: its figures as shown."""

    name: str  # as a message names it: «kommunene i Vestfold», «Larvik kommune»
    ndr: Mapping[int, Decimal]  # year → netto driftsresultat as shown
    norm: Decimal  # TBU's norm for the kind of unit
    reserve: Mapping[int, Decimal] = field(default_factory=dict)  # year → disposisjonsfond
    # (condition, year) → tally, for a set: «deficit», «surplus», «balance», «emptied», «norm»
    tallies: Mapping[tuple[str, int], Tally] = field(default_factory=dict)
    parts: tuple[Figures, ...] = ()  # the sector: the municipalities and the county authorities
    # Not all of the set have figures («bare 5 av 43 har tall»): a claim about the whole set
    # that the figures bear out is unchecked, not passed; one they refute is refused.
    partial: str = ""


@dataclass(frozen=True)
class Setting:
    """What a report's words are about: its kind, its own unit and year, the register."""

    kind: str  # «sector», «county», «member»
    own: Ref  # what an unnamed clause is about
    municipalities: Ref  # what «kommunene» alone means
    year: int
    register: Register
    member: Ref | None = None  # «kommunen» / «fylkeskommunen» in a member's report
    authority: Ref | None = None  # «fylkeskommunen» in a county's report


@dataclass(frozen=True)
class Verdict:
    """What the check made of a claim: ``ok`` True (true), False (refused), None (unchecked)."""

    words: str
    ok: bool | None
    message: str

    @property
    def line(self) -> str:
        if self.ok is False:
            return f"«{self.words}» stemmer ikke med tallene: {self.message}."
        if self.ok is None:
            return f"«{self.words}» er ikke kontrollert: {self.message}."
        return f"«{self.words}» stemmer: {self.message}."


# ---------------------------------------------------------------------- the words

def _forms(*stems: str) -> str:
    return "|".join(stems)


W = r"[\wæøåÆØÅ]"
NUMBER_WORDS = {
    "null": 0, "én": 1, "en": 1, "ein": 1, "éin": 1, "ei": 1, "éi": 1, "ett": 1, "eitt": 1,
    "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8,
    "ni": 9, "ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14,
    "femten": 15, "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19, "tjue": 20,
    "tyve": 20,
}
ORDINALS = {"annen": 2, "annan": 2, "anna": 2, "tredje": 3, "fjerde": 4, "femte": 5,
            "sjette": 6, "sjuende": 7, "sjuande": 7, "åttende": 8, "åttande": 8,
            "niende": 9, "niande": 9, "tiende": 10, "tiande": 10}
COUNT = r"(?:\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
UNITS_NOUN = r"(?:kommuner|kommunar|kommunene|kommunane|fylkeskommuner|fylkeskommunar|" \
             r"fylkeskommunene|fylkeskommunane)"
THE = r"(?:de|dei)"

DEFICIT = re.compile(r"\b(?:underskudd\w*|underskot\w*|i minus|røde tal\w*|minusresultat\w*)",
                     re.I)
SURPLUS = re.compile(r"\b(?:overskudd\w*|overskot\w*|i pluss|svarte tal\w*|plussresultat\w*)",
                     re.I)
BALANCE = re.compile(r"\bi balanse\b", re.I)
EMPTIED = re.compile(r"\b(?:tømt\w*|tømd\w*|tømte|tømmer|tømer|tomt? for|tomme? fond\w*)\b",
                     re.I)
FUND = re.compile(r"\b(?:disposisjonsfond\w*|fond|fondet|fonda|fondene|reserve\w*|buffer\w*)\b",
                  re.I)
RESULT = re.compile(r"\b(?:netto driftsresultat\w*|driftsresultat\w*|resultat\w*|"
                    r"\w*økonomi\w*)\b", re.I)
NORM = re.compile(r"\b(?:normen|norma|dette nivået|det nivået|anbefal\w* nivå\w*|"
                  r"tilrådd\w* nivå\w*|tilrådde nivå\w*|anbefalingen|anbefalinga|tilrådinga|"
                  r"tbus? norm\w*)\b", re.I)
NORM_ABOVE = re.compile(r"\b(?:over|høyere enn|høgare enn|godt over|klart over)\s+(?:tbus?\s+)?"
                        r"(?:normen|norma|dette nivå|anbefal|tilråd)", re.I)
NORM_BELOW = re.compile(r"\b(?:under|lavere enn|lågare enn|godt under|klart under)\s+"
                        r"(?:tbus?\s+)?(?:normen|norma|dette nivå|anbefal|tilråd)", re.I)
NORM_AT = re.compile(r"\b(?:på|akkurat på)\s+(?:normen|norma)", re.I)
NORM_REACHED = re.compile(r"\b(?:nådde|når|nådd|nå|innfridde|innfrir|oppfylte|oppfyller|"
                          r"klarte|klarer)\b(?:\s+\w+){0,3}?\s+(?:normen|norma|anbefal|tilråd|"
                          r"målet)", re.I)
NOT = re.compile(r"\b(?:ikke|ikkje|aldri)\b", re.I)

BETTER = re.compile(r"\b(?:bedre|bedret|bedra|bedres|bedrer|bedring\w*|forbedr\w*|betre|betra|"
                    r"betrar|betring\w*|forbetr\w*|styrket|styrka|styrker|styrkar|styrkes|"
                    r"styrking\w*|sterkere|sterkare|løft\w*|oppgang\w*|snuoperasjon\w*)\b",
                    re.I)
WORSE = re.compile(r"\b(?:svakere|svakare|svekk\w*|forverr\w*|dårligere|dårlegare|verre|"
                   r"nedgang\w*|tilbakegang\w*)\b", re.I)
UP = re.compile(r"\b(?:økte|økt|øker|økning\w*|auka|aukar|auke|auken|steg|stiger|stig|"
                r"vokste|vokser|veks|vaks|vekst\w*|større|høyere|høgare|opp|dypere|djupare)\b",
                re.I)
DOWN = re.compile(r"\b(?:falt|faller|fall|fallet|sank|synker|søkk|sokk|minket|minka|minker|"
                  r"minskar|minsker|krympet|krympa|krymper|krympar|mindre|lavere|lågare|ned|"
                  r"redusert\w*|reduser\w*)\b", re.I)
VANISHED = re.compile(r"\b(?:forsvant|forsvinner|forsvann|forsvunne\w*|borte|vekk|snudd\w*|"
                      r"snudde)\b", re.I)
BACK = re.compile(r"\btilbake\s+(?:i|til)\s+(pluss|minus|overskudd|overskot|underskudd|"
                  r"underskot)", re.I)
STILL = re.compile(r"\b(?:fortsatt|fortsett|fremdeles|framleis|stadig|igjen|att)\b", re.I)
TURN = re.compile(r"\b(?:fra|frå)\s+(?:et\s+|eit\s+|\w+\s+)?(underskudd|underskot|overskudd|"
                  r"overskot|minus|pluss)\b.{0,40}?\btil\s+(?:et\s+|eit\s+|\w+\s+)?(overskudd|"
                  r"overskot|underskudd|underskot|pluss|minus)", re.I)
TURNED = re.compile(r"\bsnudde\w*\b.{0,40}?\b(underskudd|underskot|overskudd|overskot)\w*\b"
                    r".{0,40}?\btil\b.{0,20}?\b(overskudd|overskot|underskudd|underskot)", re.I)

PERCENT_NUMBER = re.compile(
    r"(?P<cmp>\b(?:over|under|mer enn|meir enn|mindre enn|drøyt|drygt|vel|snaut|knapt|nesten|"
    r"nær|nærmere|nærare|rundt|om lag|omtrent|cirka|ca\.|i underkant av|i overkant av)\s+)?"
    r"(?P<sign>minus\s+|[−-]\s?)?(?P<num>\d+(?:[ \u00a0]\d{3})*(?:,\d+)?)\s*"
    r"(?P<unit>prosentpoeng|prosentpoenget|prosent|%)", re.I)
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
LAST_YEAR = re.compile(r"\b(?:året før|året etter|i fjor|fjorårets|fjoråret)\b", re.I)
VAGUE = re.compile(r"\b(?P<word>mange|flere|fleire|færre|noen|nokre|nokon|enkelte|få|"
                   r"et fåtall|eit fåtal|nesten alle|de aller fleste|dei aller fleste|en del|"
                   r"ein del)\s+(?:av\s+)?(?:kommun|fylkeskommun|\w+\s+kommun)", re.I)
COUNTED = re.compile(
    rf"\b(?P<q>{COUNT})\s+av\s+(?:{THE}\s+)?(?P<of>{COUNT})(?:\s+{UNITS_NOUN})?"
    rf"|\b(?P<n>{COUNT})\s+(?:kommuner|kommunar|fylkeskommuner|fylkeskommunar)\b"
    r"|\b(?:hver|kvar)\s+(?P<ord>" + "|".join(ORDINALS) + r")\b"
    r"|\b(?P<most>flertallet|fleirtalet|de fleste|dei fleste|mer enn halvparten|"
    r"meir enn halvparten|over halvparten|majoriteten)\b"
    r"|\b(?P<half>halvparten|halvdelen)\b"
    r"|\b(?P<few>mindre enn halvparten|under halvparten|et mindretall|eit mindretal)\b"
    rf"|\b(?P<none>ingen)\b(?:\s+av)?(?:\s+{THE})?(?:\s+(?P<none_of>{COUNT}))?"
    rf"(?:\s+{UNITS_NOUN}|\s+dem|\s+dei)?"
    rf"|\b(?P<all>alle|samtlige|samtlege)\b(?:\s+{THE})?(?:\s+(?P<all_of>{COUNT}))?\s+{UNITS_NOUN}",
    re.I)
SPLIT = re.compile(r"(?<=[.!?])\s+|\s*;\s*|:\s+|,\s+(?=(?:men|mens|medan|og\s+det)\b)|\s+[–—]\s+")


# ---------------------------------------------------------------------- names in the text

@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    ref: Ref | None  # None: a name shared by several units («Herøy», «Våler»)
    words: str


class Names:
    """The register's names as a text can write them, and what each names."""

    def __init__(self, register: Register) -> None:
        forms: dict[str, set[Ref]] = {}

        def add(form: str, ref: Ref) -> None:
            if form:
                forms.setdefault(form, set()).add(ref)

        for m in register.municipalities:
            for name in {m.name, m.short_name, *m.name.split(" - "),
                         m.name.replace(" - ", " – ")}:
                add(name, Ref("municipality", m.number))
                add(f"{name} kommune", Ref("municipality", m.number))
        for c in register.counties:
            for name in {c.name, c.short_name, *c.name.split(" - "),
                         c.name.replace(" - ", " – ")}:
                add(name, Ref("county", c.number))
                add(f"{name} fylkeskommune", Ref("county_authority", c.number))
                add(f"{name} fylke", Ref("county", c.number))
        # A municipality that shares a county's name (Oslo) is the municipality.
        self.forms = {form: (next(iter(refs)) if len(refs) == 1 else _prefer(refs))
                      for form, refs in forms.items()}
        alternatives = sorted(self.forms, key=len, reverse=True)
        self.pattern = re.compile(r"(?<![\wæøåÆØÅ])(?:" + "|".join(map(re.escape, alternatives))
                                  + r")(?![\wæøåÆØÅ])")

    def find(self, text: str) -> list[_Mention]:
        return [_Mention(m.start(), m.end(), self.forms[m[0]], m[0])
                for m in self.pattern.finditer(text)]


def _prefer(refs: set[Ref]) -> Ref | None:
    kinds = {r.kind for r in refs}
    if kinds == {"municipality", "county"}:  # Oslo: the municipality is the county
        return next(r for r in refs if r.kind == "municipality")
    return None


_NAMES: dict[int, Names] = {}


def names_of(register: Register) -> Names:
    """The register's ``Names``, made once per register."""
    key = id(register)
    if key not in _NAMES:
        _NAMES[key] = Names(register)
    return _NAMES[key]


# ---------------------------------------------------------------------- reading a clause

GENERIC_FIRST = [
    (re.compile(r"\b(?:(?:kommunene|kommunane|landet)\s+)?(?:inkludert|medregnet|med)\s+oslo\b",
                re.I), "with_oslo"),
    (re.compile(r"\b(?:fylkeskommunene|fylkeskommunane)(?:\s+(?:uten|utan|utenom|utanom)\s+oslo)?"
                r"\b", re.I), "authorities"),
    (re.compile(r"\b(?:landet|hele landet|heile landet|norske kommuner|norske kommunar|"
                r"landets kommuner|kommunene uten oslo|kommunane utan oslo|landet uten oslo|"
                r"landet utan oslo|kommunene i landet|kommunane i landet)\b", re.I), "national"),
    (re.compile(r"\b(?:kommunesektoren|sektoren)\b", re.I), "sector"),
    (re.compile(r"\b(?:fylkeskommunene|fylkeskommunane)\b", re.I), "authorities"),
    (re.compile(r"\b(?:kommuneøkonomien|økonomien i kommunene|økonomien i kommunane)\b", re.I),
     "own"),
]
GENERIC_LAST = [
    (re.compile(r"\b(?:kommunene|kommunane)\b", re.I), "municipalities"),
    (re.compile(r"\bfylkeskommunen\b", re.I), "authority"),
    (re.compile(r"\bkommunen\b", re.I), "member"),
]
# «normen for fylkeskommunene»: a unit named for whose norm it is, not what the words are about
NORM_OF = re.compile(r"\b(?:normen|norma|norm|nivået|anbefalingen)\s+for\s+(?:de\s+|dei\s+)?$",
                     re.I)
# «kommunene i Vestfold»: the words before a county's name that make it its municipalities
IN_COUNTY = re.compile(r"\b(?:kommunene|kommunane|kommuner|kommunar|kommune|"
                       r"kommuneøkonomien|økonomien)\s+i\s+$", re.I)


@dataclass
class _Clause:
    words: str  # as written
    refs: list[tuple[int, Ref | None, str]]  # (position, what it names, the words)


def _clauses(text: str, setting: Setting) -> Iterator[_Clause]:
    """The clauses of ``text`` with the units each names, in order."""
    names = names_of(setting.register)
    mentions = names.find(text)
    # A county's name after «kommunene i»: the county's municipalities.
    protected = text
    for m in mentions:  # keep names whole across the clause split (« – » in official names)
        protected = protected[:m.start] + m.words.replace("–", "\u2063") + protected[m.end:]
    start = 0
    for part in SPLIT.split(protected):
        at = protected.find(part, start)
        if at < 0:
            at = start
        end = at + len(part)
        start = end
        raw = text[at:end]
        at += len(raw) - len(raw.lstrip(" ,"))
        end = at + len(text[at:end].rstrip(" ,"))
        words = text[at:end]
        if not words:
            continue
        yield _Clause(words, _refs(words, at, mentions, setting))


def _refs(local: str, at: int, mentions: list[_Mention], setting: Setting
          ) -> list[tuple[int, Ref | None, str]]:
    """What a clause (``local``, at ``at`` in its text) names, in order: the country, the
    sector and the county authorities first, then names from the register, then «kommunene»,
    «kommunen» and «fylkeskommunen»; a unit named for whose norm it is is no subject."""
    refs: list[tuple[int, Ref | None, str]] = []
    taken: list[tuple[int, int]] = []

    def take(a: int, b: int) -> bool:
        if any(x <= a < y or a <= x < b for x, y in taken):
            return False
        taken.append((a, b))
        return not NORM_OF.search(local[:a])

    for pattern, kind in GENERIC_FIRST:
        for g in pattern.finditer(local):
            if take(g.start(), g.end()):
                refs.append((g.start(), _generic(kind, setting), g[0]))
    for m in mentions:
        if at <= m.start < at + len(local):
            begin = m.start - at
            lead = IN_COUNTY.search(local[:begin])
            if lead:  # «kommunene i Vestfold» is one subject, not two
                begin = lead.start()
            if take(begin, m.end - at):
                refs.append((begin, m.ref, local[begin:m.end - at]))
    for pattern, kind in GENERIC_LAST:
        for g in pattern.finditer(local):
            if take(g.start(), g.end()):
                refs.append((g.start(), _generic(kind, setting), g[0]))
    refs.sort(key=lambda r: r[0])
    return refs


def _generic(kind: str, setting: Setting) -> Ref | None:
    return {"national": NATIONAL, "sector": SECTOR, "authorities": AUTHORITIES,
            "with_oslo": WITH_OSLO,
            "own": setting.own if setting.kind != "member" else setting.municipalities,
            "municipalities": setting.municipalities, "member": setting.member,
            "authority": setting.member if setting.member and
            setting.member.kind == "county_authority" else setting.authority}[kind]


def _number(text: str) -> Decimal:
    return Decimal(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))


def _places(d: Decimal) -> int:
    """How many decimals a number was written with («3,5» one, «2» none)."""
    exponent = d.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _count(word: str) -> int | None:
    word = word.lower()
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word)


def _year_of(clause: str, position: int, year: int) -> int:
    """The year a number or words at ``position`` speak of: a year written after them and
    before the next number («… 3,5 prosent i 2025»), «året før» (the year before the
    report's), «i fjor» (the accounting year the report is about), a year written before
    them, else ``year``."""
    after = clause[position:]
    following = PERCENT_NUMBER.search(after)
    if following:
        after = after[:following.start()]
    written = YEAR.search(after)
    if written:
        return int(written[0])
    relative = re.search(r"\b(året før|i fjor|fjoråret)", after, re.I)
    if relative:
        return year - 1 if relative[1].lower() == "året før" else year
    years = [int(y) for y in YEAR.findall(clause[:position])]
    if years:
        return years[-1]
    return year - 1 if re.search(r"\båret før\b", clause[:position], re.I) else year


# ---------------------------------------------------------------------- judging

Resolve = Callable[[Ref], "Figures | None"]


def judge(text: str, setting: Setting, resolve: Resolve) -> list[Verdict]:
    """Every claim of ``text`` (a headline, a lede, a quote) held to the figures.

    A clause that names no unit is about the unit of the clause before; one that names no
    measure («For kommunene uten Oslo var det 11,5 prosent.») is about the measure of the
    clause before (the fund, there).
    """
    verdicts: list[Verdict] = []
    last: Ref | None = None
    fund = False
    for clause in _clauses(text, setting):
        words = clause.words
        if FUND.search(words) or EMPTIED.search(words):
            fund = True
        elif (RESULT.search(words) or DEFICIT.search(words) or SURPLUS.search(words)
              or NORM.search(words) or not re.search(r"\b(?:det|dette)\b", words, re.I)):
            fund = False
        found, last = _judge_clause(clause, setting, resolve, last, fund)
        verdicts += found
    return verdicts


def _judge_clause(clause: _Clause, setting: Setting, resolve: Resolve,
                  last: Ref | None, fund: bool = False) -> tuple[list[Verdict], Ref | None]:
    words = clause.words
    share = SHARE.search(words)
    if share and (_is_claim(words) or PERCENT_NUMBER.search(words)):
        return [Verdict(words, None, f"andeler («{share[0]}») kontrolleres ikke; skriv "
                                     "antallet («54 av 357 kommuner»)")], last
    named = [r for _, r, _ in clause.refs]
    if any(r is None for r in named) and clause.refs:
        ambiguous = next(w for _, r, w in clause.refs if r is None)
        if _is_claim(words):
            return [Verdict(words, None, f"«{ambiguous}» kan bety flere enheter; skriv "
                                         "kommunenummeret eller fylket")], last
        return [], last
    subjects = _listed(clause)
    subject = subjects[0] if subjects else (last or setting.own)
    rest = named[len(subjects):]
    other = rest[0] if rest else None
    vague = VAGUE.search(words)
    counted = COUNTED.search(words)
    if counted and not _is_count(counted):
        counted = None
    if vague and not counted and _has_predicate(words):
        return [Verdict(words, None, f"«{vague['word']}» er ikke et tall verktøyet kan "
                                     "holde mot tallene")], subject
    if counted:
        return [_judge_count(words, counted, named, setting, resolve)], subject
    loose = _loose(words)
    if loose:
        return [Verdict(words, None, loose)], subject
    other_measure = OTHER.search(words)
    if other_measure and (loose or _is_claim(words, bool(named))):
        return [Verdict(words, None, f"verktøyet holder ikke «{other_measure[0]}» mot "
                                     "rapportens tall")], subject
    if not _is_claim(words, bool(named)):
        return [], subject
    figures = resolve(subject)
    if figures is None:
        return [Verdict(words, None, "verktøyet har ingen tall for det teksten gjelder")], \
            subject
    out = []
    if figures.parts and PERCENT_NUMBER.search(words):
        out.append(Verdict(words, None, "sektoren samlet har ikke ett tall i rapporten; "
                                        "skriv kommunene eller fylkeskommunene"))
        return out, subject
    out += _partial(figures, _judge_about(words, setting, figures, resolve, other, fund,
                                          clause.refs))
    for also in subjects[1:]:  # «Larvik og Sandefjord gikk med overskudd»: each of them
        more = resolve(also)
        out += (_partial(more, _judge_about(words, setting, more, resolve, other, fund))
                if more is not None else
                [Verdict(words, None, "verktøyet har ingen tall for det teksten gjelder")])
    return out, subject


def _partial(figures: Figures, verdicts: list[Verdict]) -> list[Verdict]:
    """A claim about a set that only partly has figures is not borne out by them."""
    if not figures.partial:
        return verdicts
    return [Verdict(v.words, None, f"{figures.partial}: {v.message}") if v.ok else v
            for v in verdicts]


def _listed(clause: _Clause) -> list[Ref]:
    """The units a clause opens with, «A, B og C»: each is the subject."""
    out: list[Ref] = []
    for i, (pos, ref, _) in enumerate(clause.refs):
        if ref is None:
            break
        if i:
            prev_pos, _, prev_said = clause.refs[i - 1]
            between = clause.words[prev_pos + len(prev_said):pos] if pos >= prev_pos else ""
            if not re.fullmatch(r"\s*(?:,|og|,\s*og)\s*", between):
                break
        if ref not in out:
            out.append(ref)
    return out


ANY_NUMBER = re.compile(r"(?<![\w,.])[−-]?\d+(?:[ \u00a0]\d{3})*(?:,\d+)?(?![\w,])")


# «normen for fylkeskommunene på 4 prosent», «Norm for kommunene 1,75 %»: the norm's value
NORM_VALUE = re.compile(r"\b(?:normen|norma|norm)\b(?:\s+for\s+[\wæøå ]{1,30}?)?\s*"
                        r"(?:på|er|,)?\s*$", re.I)
# A share of the units («andelen kommuner som har tømt fondet»): not checked
SHARE = re.compile(r"\b(?:andel\w*|delen av|del av)\b", re.I)
# What the tool holds no claim to: other measures than the result, the fund and their counts.
OTHER = re.compile(r"\b(?:\w*inntekt\w*|\w*utgift\w*|\w*kostnad\w*|skatt\w*|\w*investering\w*|"
                   r"\w*gjeld\w*|lån\w*|renter?\w*|lønn\w*|\w*tilskudd\w*|\w*tilskot\w*|"
                   r"folketal\w*|innbygg\w*|pensjon\w*|kroner|milliard\w*|million\w*|ramme\w*|"
                   r"budsjett\w*|tjenest\w*|tenest\w*)\b", re.I)


def _loose(words: str) -> str:
    """Why a clause that is no claim the tool can judge still says something of figures:
    a number of another kind («12 milliarder kroner»), or a direction of something the
    tool has no figure for («driftsinntektene økte»); "" when it says nothing of them."""
    judged = {m.span() for m in PERCENT_NUMBER.finditer(words)}
    for m in ANY_NUMBER.finditer(words):
        if YEAR.fullmatch(m[0].lstrip("−-")):
            continue
        if not any(a <= m.start() < b for a, b in judged):
            return f"tallet {m[0]} kan ikke knyttes til et tall verktøyet har"
    direction = UP.search(words) or DOWN.search(words) or VANISHED.search(words)
    about = (RESULT.search(words) or DEFICIT.search(words) or SURPLUS.search(words)
             or FUND.search(words))
    if direction and direction[0].lower() not in {"opp", "ned", "større", "mindre"} \
            and not about:
        return f"verktøyet har ikke tall for det som «{direction[0]}»"
    return ""


def _is_count(m: re.Match[str]) -> bool:
    """«en» and «ei» are articles unless they count («én av seks», «en av seks kommuner»)."""
    if m["q"] is not None or m["ord"] or m["most"] or m["half"] or m["few"] or m["all"]:
        return True
    if m["n"] is not None:
        return m["n"].lower() not in {"en", "ei", "ein", "ett", "eitt"}
    return m["none"] is not None


def _has_predicate(words: str) -> bool:
    return bool(DEFICIT.search(words) or SURPLUS.search(words) or EMPTIED.search(words)
                or NORM.search(words) or BALANCE.search(words))


def _is_claim(words: str, named: bool = True) -> bool:
    """Whether a clause says anything a figure could prove or refute. «Bedre» or «svakere»
    said of no result and no unit («rammene styrkes») is not about the figures."""
    about = bool(RESULT.search(words) or DEFICIT.search(words) or SURPLUS.search(words)
                 or FUND.search(words))
    return bool(_has_predicate(words) or PERCENT_NUMBER.search(words)
                or ((BETTER.search(words) or WORSE.search(words)) and (about or named))
                or BACK.search(words) or TURN.search(words) or TURNED.search(words)
                or ((UP.search(words) or DOWN.search(words) or VANISHED.search(words))
                    and about))


# -------------------------------------------------------------- counts: «17 av 38 kommuner»

def _condition(words: str) -> str | None:
    if EMPTIED.search(words):
        return "emptied"
    if NORM.search(words):
        return "norm"
    if DEFICIT.search(words):
        return "deficit"
    if SURPLUS.search(words):
        return "surplus"
    if BALANCE.search(words):
        return "balance"
    return None


CONDITION_WORDS = {"deficit": "gikk med underskudd", "surplus": "gikk med overskudd",
                   "balance": "gikk i balanse", "emptied": "hadde tømt disposisjonsfondet",
                   "norm": "nådde normen"}


def _judge_count(words: str, m: re.Match[str], named: list[Ref | None], setting: Setting,
                 resolve: Resolve) -> Verdict:
    condition = _condition(words)
    if condition is None:
        return Verdict(words, None, f"teksten sier ikke hva «{m[0].strip()}» gjelder "
                                    "(underskudd, overskudd, normen, tømt fond)")
    if condition == "norm" and NOT.search(words) and not m["none"]:
        return Verdict(words, None, "en telling med «ikke» kontrolleres ikke")
    negated = bool(NOT.search(words)) and not m["none"]
    sets = [r for r in named if r is not None and r.kind in {"county", "national",
                                                             "county_authorities"}]
    ref = sets[0] if sets else setting.municipalities
    figures = resolve(ref)
    year = _year_of(words, m.end(), setting.year)
    tally = figures.tallies.get((condition, year)) if figures else None
    if figures is None or tally is None or not tally.reported:
        return Verdict(words, None, f"verktøyet har ikke tall for dette i {year}")
    if negated:  # «to av seks kommuner gikk ikke med underskudd»
        tally = Tally(tally.reported - tally.count, tally.reported, tally.total)
    said = (f"{tally.count} av {tally.reported} {_units_word(figures)} "
            f"{CONDITION_WORDS[condition]} i {year}"
            + (f" ({tally.total - tally.reported} uten tall)"
               if tally.reported < tally.total else ""))
    share = tally.count / tally.reported
    of_said = m["none_of"] or m["all_of"]
    if of_said and _count(of_said) not in {tally.reported, tally.total}:
        return Verdict(words, None, f"teksten teller av {of_said}, tallene gjelder "
                                    f"{tally.reported} av {tally.total}: " + said)
    ok: bool
    if m["q"] is not None:
        q, of = _count(m["q"]), _count(m["of"])
        if q is None or of is None:
            return Verdict(words, None, f"«{m[0].strip()}» er ikke et tall")
        if of not in {tally.reported, tally.total}:
            return Verdict(words, None, f"teksten teller av {of}, tallene gjelder "
                                        f"{tally.reported} av {tally.total}: " + said)
        ok = q == tally.count
        if ok and of == tally.total and tally.reported < tally.total:
            return Verdict(words, None, f"bare {tally.reported} av {tally.total} har tall: "
                                        + said)
    elif m["n"] is not None:
        n = _count(m["n"])
        ok = n == tally.count
    elif m["ord"]:
        n = ORDINALS[m["ord"].lower()]
        ok = abs(share - 1 / n) <= 0.02 and tally.reported >= 3 * n
    elif m["most"]:
        ok = share > 0.5
    elif m["half"]:
        ok = abs(share - 0.5) <= 0.02
    elif m["few"]:
        ok = share < 0.5
    elif m["none"]:
        ok = tally.count == 0
    else:  # alle
        ok = tally.count == tally.reported
        if ok and tally.reported < tally.total:
            return Verdict(words, None, f"bare {tally.reported} av {tally.total} har tall: "
                                        + said)
    if m["none"] and ok and tally.reported < tally.total:
        return Verdict(words, None, f"bare {tally.reported} av {tally.total} har tall: " + said)
    return Verdict(words, ok, said)


def _units_word(figures: Figures) -> str:
    return "fylkeskommuner" if figures.name.startswith("fylkeskommunene") else "kommuner"


# -------------------------------------------------------------- one unit: sign, norm, numbers

def _pct(d: Decimal) -> str:
    text = f"{d:f}".replace(".", ",")
    return f"minus {text[1:]}" if text.startswith("-") else text


def _result(figures: Figures, year: int) -> str:
    return (f"{figures.name} hadde et netto driftsresultat på {_pct(figures.ndr[year])} "
            f"prosent i {year}")


def _judge_about(words: str, setting: Setting, figures: Figures, resolve: Resolve,
                 other: Ref | None, fund: bool = False,
                 mentions: list[tuple[int, Ref | None, str]] | None = None) -> list[Verdict]:
    """Sign, direction, norm and numbers of one unit's (or set's) figures."""
    if figures.parts:  # the sector: the claim must hold for every part
        found = [v for part in figures.parts
                 for v in _judge_about(words, setting, part, resolve, other, fund)]
        refused = [v for v in found if v.ok is False]
        unchecked = [v for v in found if v.ok is None]
        if refused:
            return [refused[0]]
        if unchecked:
            return [unchecked[0]]
        return [Verdict(words, True, "; ".join(v.message for v in found))] if found else []
    year = _year_of(words, 0, setting.year)
    negated = bool(NOT.search(words))
    checks: list[Verdict] = []
    numbers = list(PERCENT_NUMBER.finditer(words))
    if fund:
        checks += _fund(words, figures, year, numbers, negated)
        return checks
    needs_before = bool(BETTER.search(words) or WORSE.search(words) or BACK.search(words)
                        or TURN.search(words) or TURNED.search(words)
                        or VANISHED.search(words) or UP.search(words) or DOWN.search(words)
                        or (STILL.search(words) and DEFICIT.search(words)))
    if year not in figures.ndr:
        return [Verdict(words, None, f"{figures.name} har ikke tall for {year}")]
    now = figures.ndr[year]
    before = figures.ndr.get(year - 1)
    if needs_before and before is None and not numbers:
        return [Verdict(words, None, f"{figures.name} har ikke tall for {year - 1} å "
                                     "sammenligne med")]
    said = _result(figures, year) + (f", mot {_pct(before)} prosent året før"
                                     if before is not None and needs_before else "")
    turn = TURN.search(words) or TURNED.search(words)
    back = BACK.search(words)
    if turn:
        to_plus = turn[2].lower().startswith(("over", "pluss"))
        ok = before is not None and ((before < 0 < now) if to_plus else (before > 0 > now))
        checks.append(Verdict(words, ok, said))
    elif back:
        to_plus = back[1].lower().startswith(("pluss", "over"))
        ok = before is not None and ((before < 0 < now) if to_plus else (before > 0 > now))
        checks.append(Verdict(words, ok != negated, said))
    elif NORM.search(words) and not _points(numbers):
        checks.append(_norm(words, figures, now, year, negated))
    elif other is not None and not numbers and (BETTER.search(words) or WORSE.search(words)
                                                or re.search(r"\b(?:over|under)\b", words,
                                                             re.I)):
        checks.append(_versus(words, figures, resolve(other), year, negated))
    else:
        state = _state(words, now, before, negated, numbers)
        if state is not None:
            checks.append(Verdict(words, state, said))
    checks += _numbers(words, numbers, figures, year, now, before, resolve, other,
                       mentions or [])
    if not checks:
        return [Verdict(words, None, "verktøyet kan ikke avgjøre hva teksten sier om tallene")]
    return checks


def _state(words: str, now: Decimal, before: Decimal | None, negated: bool,
           numbers: list[re.Match[str]]) -> bool | None:
    """Sign and direction of the result, of a deficit or of a surplus; None if none said."""
    deficit, surplus = DEFICIT.search(words), SURPLUS.search(words)
    up, down = UP.search(words), DOWN.search(words)
    better, worse = BETTER.search(words), WORSE.search(words)
    vanished = VANISHED.search(words)
    if (deficit or surplus) and (up or down or vanished) and before is not None:
        noun_deficit = deficit is not None and (surplus is None
                                                or deficit.start() < surplus.start())
        if vanished:
            ok = (before < 0 <= now) if noun_deficit else (before > 0 >= now)
        elif up:  # the deficit (or surplus) there was grew
            ok = (before < 0 and now < before) if noun_deficit else (before > 0 and now > before)
        else:  # it shrank
            ok = (before < 0 and now > before) if noun_deficit else (before > 0 and now < before)
        return ok != negated
    if STILL.search(words) and deficit and before is not None and not surplus:
        return (now < 0 and before < 0) != negated
    if better or worse or ((up or down) and RESULT.search(words)):
        if before is None:
            return None
        going_up = bool(better) if (better or worse) else bool(up)
        if better and worse:
            return None
        ok = now > before if going_up else now < before
        return ok != negated
    if deficit and surplus:
        return None  # both sides named without a turn: nothing to hold
    if deficit and not _magnitude_of_deficit(words, numbers):
        return (now < 0) != negated
    if surplus and not numbers:
        return (now > 0) != negated
    if BALANCE.search(words):
        return (now == 0) != negated
    return None


def _magnitude_of_deficit(words: str, numbers: list[re.Match[str]]) -> bool:
    """«et underskudd på 1,4 prosent»: the number says it (and its sign), not the word."""
    return any(n["unit"].lower() in {"prosent", "%"} for n in numbers)


def _norm(words: str, figures: Figures, now: Decimal, year: int, negated: bool) -> Verdict:
    said = f"{_result(figures, year)}, og normen er {_pct(figures.norm)} prosent"
    if NORM_BELOW.search(words):
        ok = now < figures.norm
    elif NORM_AT.search(words):
        ok = now == figures.norm
    elif NORM_ABOVE.search(words):
        ok = now > figures.norm
    elif NORM_REACHED.search(words):
        ok = now >= figures.norm
    else:
        return Verdict(words, None, "teksten sier ikke om resultatet er over eller under normen")
    return Verdict(words, ok != negated, said)


def _versus(words: str, figures: Figures, other: Figures | None, year: int,
            negated: bool) -> Verdict:
    if other is None or year not in other.ndr or other.parts:
        return Verdict(words, None, "verktøyet har ikke tallet det sammenlignes med")
    mine, theirs = figures.ndr[year], other.ndr[year]
    above = bool(BETTER.search(words) or re.search(r"\bover\b", words, re.I))
    ok = mine > theirs if above else mine < theirs
    return Verdict(words, ok != negated, f"{_result(figures, year)}, {other.name} "
                                         f"{_pct(theirs)} prosent")


def _points(numbers: list[re.Match[str]]) -> list[re.Match[str]]:
    return [n for n in numbers if n["unit"].lower().startswith("prosentpoeng")]


def _numbers(words: str, numbers: list[re.Match[str]], figures: Figures, year: int,
             now: Decimal, before: Decimal | None, resolve: Resolve,
             other: Ref | None, mentions: list[tuple[int, Ref | None, str]]) -> list[Verdict]:
    """Each number of the clause against the figure it can only be: the norm's own value
    after «normen (for …) på», else the figure of the unit named last before it («Tysvær 3,1
    prosent, kommunene i Rogaland minus 0,3 prosent»)."""
    out = []
    deficit = DEFICIT.search(words)
    own = figures
    previous = 0
    for m in numbers:
        figures = own
        named = [ref for pos, ref, _ in mentions if previous <= pos < m.start() and ref]
        previous = m.end()
        if named and named[-1].kind != "sector":
            figures = resolve(named[-1]) or own
            if figures is not own:
                now = figures.ndr.get(year, now)
                before = figures.ndr.get(year - 1)
        value = _number(m["num"])
        if NORM_VALUE.search(words[:m.start()]) and not m["unit"].lower().startswith("prosentp"):
            out.append(Verdict(words, _compare(m["cmp"], value, figures.norm, _places(value)),
                               f"normen er {_pct(figures.norm)} prosent"))
            continue
        places = _places(value)
        signed = bool(m["sign"])
        if m["unit"].lower().startswith("prosentpoeng"):
            out.append(_points_claim(words, m, value, places, figures, year, now, before,
                                     resolve, other))
            continue
        number_year = _year_of(words, m.end(), year)
        if number_year not in figures.ndr:
            out.append(Verdict(words, None, f"{figures.name} har ikke tall for {number_year}"))
            continue
        figure = figures.ndr[number_year]
        if signed:
            value = -value
        elif deficit and deficit.start() < m.start() and not SURPLUS.search(words):
            value = -value  # «et underskudd på 1,4 prosent»
        ok = _compare(m["cmp"], value, figure, places)
        out.append(Verdict(words, ok, _result(figures, number_year)))
    return out


def _compare(cmp: str | None, value: Decimal, figure: Decimal, places: int) -> bool:
    shown = figure.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    word = (cmp or "").strip().lower()
    if word in {"over", "mer enn", "meir enn", "drøyt", "drygt", "vel", "i overkant av"}:
        return figure > value
    if word in {"under", "mindre enn", "snaut", "knapt", "nesten", "nærmere", "nærare",
                "i underkant av"}:
        return figure < value
    return shown == value


def _points_claim(words: str, m: re.Match[str], value: Decimal, places: int,
                  figures: Figures, year: int, now: Decimal, before: Decimal | None,
                  resolve: Resolve, other: Ref | None) -> Verdict:
    """Percentage points: a change from the year before, or a gap to the norm or another."""
    after = words[m.end():m.end() + 30].lower()
    up = bool(re.match(r"\s*(?:over|høyere|høgare|bedre|betre|opp)", after)
              or BETTER.search(words) or (UP.search(words) and not DOWN.search(words)))
    down = bool(re.match(r"\s*(?:under|lavere|lågare|svakere|svakare|ned)", after)
                or WORSE.search(words) or (DOWN.search(words) and not UP.search(words)))
    if m["sign"]:
        down, up = True, False
    if NORM.search(words):
        gap, what = now - figures.norm, f"normen er {_pct(figures.norm)} prosent"
    elif other is not None and (theirs := resolve(other)) is not None and year in theirs.ndr:
        gap, what = now - theirs.ndr[year], f"{theirs.name} {_pct(theirs.ndr[year])} prosent"
    elif before is not None:
        gap, what = now - before, f"året før {_pct(before)} prosent"
    else:
        return Verdict(words, None, "verktøyet vet ikke hva prosentpoengene måles mot")
    said = f"{_result(figures, year)}, {what}"
    ok = _compare(m["cmp"], value, abs(gap), places)
    if up and not down:
        ok = ok and gap > 0
    elif down and not up:
        ok = ok and gap < 0
    return Verdict(words, ok, said)


def _fund(words: str, figures: Figures, year: int, numbers: list[re.Match[str]],
          negated: bool) -> list[Verdict]:
    if year not in figures.reserve:
        return [Verdict(words, None, f"{figures.name} har ikke tall for disposisjonsfondet i "
                                     f"{year}")]
    reserve = figures.reserve[year]
    said = (f"{figures.name} hadde et disposisjonsfond på {_pct(reserve)} prosent av "
            f"driftsinntektene ved utgangen av {year}")
    out = []
    if EMPTIED.search(words):
        out.append(Verdict(words, (reserve <= 0) != negated, said))
    for m in numbers:
        if m["unit"].lower().startswith("prosentpoeng"):
            out.append(Verdict(words, None, "endringer i disposisjonsfondet kontrolleres ikke"))
            continue
        value = _number(m["num"])
        places = _places(value)
        out.append(Verdict(words, _compare(m["cmp"], -value if m["sign"] else value, reserve,
                                           places), said))
    before = figures.reserve.get(year - 1)
    if not out and (UP.search(words) or DOWN.search(words) or BETTER.search(words)
                    or WORSE.search(words)):
        if before is None:
            return [Verdict(words, None, f"{figures.name} har ikke tall for disposisjonsfondet "
                                         f"i {year - 1}")]
        going_up = bool(UP.search(words) or BETTER.search(words))
        ok = reserve > before if going_up else reserve < before
        out.append(Verdict(words, ok != negated, said + f", mot {_pct(before)} prosent året før"))
    if not out:
        return [Verdict(words, None, "teksten sier ikke noe verktøyet kan holde mot "
                                     "disposisjonsfondet")]
    return out
