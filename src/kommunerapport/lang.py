"""Every sentence the reports generate, in bokmål (nb) and nynorsk (nn).

The two dictionaries have the same keys (a test holds them to it). Values are
``str.format`` templates; numbers arrive already formatted by
``kommunerapport.formatting``. Text that a designer may change without code
(headings of fixed sections, the footer) lives in the templates instead.
"""

from __future__ import annotations

# The notice on every page built on sample data: one fixed wording in both languages,
# so that a reader (and `send`) can always recognise it.
SAMPLE_NOTICE = "Eksempeldata – ikke offisielle tall"

PHRASES: dict[str, dict[str, str]] = {
    "nb": {
        # Who the figures are about.
        "subject_county": "kommunene i {county}",
        "subject_national": "kommunene uten Oslo",
        "subject_sector": "kommunene",
        "none": "ingen",
        "subject_member": "{name} kommune",
        "subject_county_authority": "{name} fylkeskommune",
        # Headlines, chosen by rules in text.py.
        "head_back_in_plus": "{Subject} tilbake i pluss",
        "head_into_deficit": "{Subject} går med underskudd",
        "head_still_deficit": "Fortsatt underskudd for {subject}",
        "head_better": "Bedre resultat for {subject}",
        "head_weaker": "Svakere resultat for {subject}",
        "head_above_norm": "{Subject} over anbefalt nivå",
        "head_below_norm": "{Subject} under anbefalt nivå",
        "head_unknown": "Kommuneøkonomien {year}: {subject}",
        # The lede.
        "lede_result": "{Subject} fikk samlet et netto driftsresultat på {value} i {year}.",
        "lede_result_member": "{Subject} fikk et netto driftsresultat på {value} i {year}.",
        "lede_better": "Det er en bedring fra {before} året før.",
        "lede_weaker": "Det er en svekkelse fra {before} året før.",
        "lede_same": "Det er på samme nivå som året før.",
        "lede_no_before": "Det finnes ikke tall for året før.",
        "lede_unknown": "Det finnes ikke tall for netto driftsresultat for {subject} i {year}.",
        "lede_with_oslo": "Inkludert Oslo ble resultatet {value}.",
        "lede_coverage": "Tallet omfatter {n} av {total} kommuner; det mangler tall for "
                         "{missing}.",
        "lede_coverage_before": "Året før omfattet tallet {n} av {total} kommuner.",
        # The norm.
        "norm_intro": "Det tekniske beregningsutvalget for kommunal og fylkeskommunal økonomi "
                      "(TBU) anbefaler at netto driftsresultat over tid bør være {norm} av "
                      "driftsinntektene for {kind}.",
        "norm_above": "{Subject} ligger {diff} over dette nivået.",
        "norm_below": "{Subject} ligger {diff} under dette nivået.",
        "norm_at": "{Subject} ligger på dette nivået.",
        "norm_reached": "{count} av {total} kommuner nådde normen i {year}.",
        "norm_short_above": "{Subject} ligger {diff} over normen på {norm}.",
        "norm_short_below": "{Subject} ligger {diff} under normen på {norm}.",
        "norm_short_same": "{Subject} ligger på normen på {norm}.",
        "kind_kommuner": "kommunene",
        "kind_fylkeskommuner": "fylkeskommunene",
        # The spread.
        "deficit_count": "{count} av {reported} kommuner gikk med underskudd i {year}.",
        "deficit_fraction": "Hver {fraction} kommune gikk med underskudd i {year}.",
        "deficit_none": "Ingen av kommunene gikk med underskudd i {year}.",
        "deficit_before": "Året før gjaldt det {count} av {reported}.",
        "deficit_before_none": "Året før gikk ingen av dem med underskudd.",
        "emptied_count": "{count} av {reported} kommuner har tømt disposisjonsfondet sitt.",
        "emptied_none": "Ingen av kommunene har tømt disposisjonsfondet sitt.",
        "emptied_share_change": "Andelen kommuner som har tømt disposisjonsfondet, har "
                                "{direction} fra {before} til {now}.",
        "direction_up": "økt",
        "direction_down": "gått ned",
        "direction_same": "holdt seg på",
        "emptied_share_same": "Andelen kommuner som har tømt disposisjonsfondet, er {now}, "
                              "som året før.",
        "best_worst": "{best} hadde det sterkeste resultatet med {best_value}, mens {worst} "
                      "hadde det svakeste med {worst_value}.",
        "coverage_all": "Tallene omfatter alle {total} kommunene.",
        "coverage_none": "Det finnes ikke tall for noen av de {total} kommunene.",
        "coverage_some": "Tallene omfatter {reported} av {total} kommuner som har rapportert. "
                         "Det mangler tall for {missing}.",
        "robek_none": "Ingen av kommunene er oppført i ROBEK, registeret over kommuner under "
                      "statlig kontroll (per {date}).",
        "robek_some": "{names} er oppført i ROBEK, registeret over kommuner under statlig "
                      "kontroll (per {date}).",
        "robek_count": "{count} kommuner er oppført i ROBEK, registeret over kommuner under "
                       "statlig kontroll (per {date}).",
        "robek_member": "{name} er oppført i ROBEK, registeret over kommuner under statlig "
                        "kontroll (kommuneloven § 28-1 {grounds}; per {date}).",
        "robek_member_not": "{name} er ikke oppført i ROBEK (per {date}).",
        "reserve": "Disposisjonsfondet til {subject} utgjorde {value} av driftsinntektene ved "
                   "utgangen av {year}.",
        # The county authority.
        "county_authority": "{name} fylkeskommune hadde et netto driftsresultat på {value} i "
                            "{year}, mot {before} året før.",
        "county_authority_new": "{name} fylkeskommune hadde et netto driftsresultat på {value} "
                                "i {year}.",
        "county_authority_missing": "Det finnes ikke tall for {name} fylkeskommune i {year}.",
        "county_authorities_total": "Fylkeskommunene uten Oslo fikk samlet {value} i {year}, "
                                    "mot {before} året før.",
        "county_authority_norm_above": "Det er {diff} over normen for fylkeskommunene.",
        "county_authority_norm_below": "Det er {diff} under normen for fylkeskommunene.",
        "county_authority_norm_same": "Det er på normen for fylkeskommunene.",
        # Against the country.
        "national": "Kommunene uten Oslo fikk samlet {value} i {year}.",
        "versus_above": "{Subject} ligger dermed {diff} over landet uten Oslo.",
        "versus_below": "{Subject} ligger dermed {diff} under landet uten Oslo.",
        "versus_same": "{Subject} ligger dermed på samme nivå som landet uten Oslo.",
        "versus_county_above": "Det er {diff} over kommunene i {county} samlet.",
        "versus_county_below": "Det er {diff} under kommunene i {county} samlet.",
        "versus_county_same": "Det er på samme nivå som kommunene i {county} samlet.",
        "reserve_national": "I landet uten Oslo var disposisjonsfondet {value}.",
        "rank": "Rangert etter netto driftsresultat er {name} nummer {rank} av {total} kommuner "
                "i {county}.",
        "rank_first": "{name} har det beste resultatet av {total} kommuner i {county}.",
        "rank_county_authority": "Rangert etter netto driftsresultat er {name} nummer {rank} "
                                 "av {total} fylkeskommuner.",
        "rank_first_county_authority": "{name} har det beste resultatet av {total} "
                                       "fylkeskommuner.",
        "versus_group_above": "{Subject} ligger {diff} over {group} samlet.",
        "versus_group_below": "{Subject} ligger {diff} under {group} samlet.",
        "versus_group_same": "{Subject} ligger på samme nivå som {group} samlet.",
        "group_county_authorities": "fylkeskommunene uten Oslo",
        "reserve_emptied": "{Subject} har ikke noe igjen på disposisjonsfondet.",
        "reserve_county": "For kommunene i {county} samlet var det {value}.",
        "reserve_county_authorities": "For fylkeskommunene uten Oslo samlet var det {value}.",
        # Sector.
        "sector_counties_best": "Kommunene i {best} hadde samlet det sterkeste resultatet med "
                                "{best_value}, kommunene i {worst} det svakeste med "
                                "{worst_value}.",
        # Missing and synthetic.
        "not_weighted": "Samlet resultat kan ikke beregnes fordi brutto driftsinntekter mangler.",
        "sample_note": "Kommunetallene i denne rapporten er syntetiske eksempeldata laget for å "
                       "vise verktøyet. De er ikke offisielle tall.",
        # Charts.
        "chart_units_title": "Netto driftsresultat {year}, prosent av brutto driftsinntekter",
        "chart_units_alt": "Stolpediagram over netto driftsresultat i {year} for {total} "
                           "kommuner i {county}, sortert. {above} av {total} ligger over normen "
                           "på {norm}. Høyest: {best} ({best_value}), lavest: {worst} "
                           "({worst_value}).",
        "chart_trend_title": "Netto driftsresultat {first}–{last}, prosent",
        "chart_trend_alt": "Linjediagram over netto driftsresultat {first}–{last} i prosent for "
                           "{series}, med normen på {norm}. I {last}: {values}.",
        "chart_trend_above": "{Subject} lå over landet i {count} av {years} år.",
        "bin_below": "under {hi}",
        "bin_between": "{lo} til {hi}",
        "bin_above": "{lo} og over",
        "chart_spread_title": "Kommunene etter netto driftsresultat {year}",
        "chart_spread_alt": "Søylediagram over hvor mange kommuner som hadde netto "
                            "driftsresultat i hvert intervall i {year}. {deficit} av {reported} "
                            "hadde underskudd.",
        "chart_counties_title": "Netto driftsresultat for kommunene i hvert fylke {year}",
        "chart_counties_alt": "Stolpediagram over netto driftsresultat i {year} for kommunene "
                              "i hvert av de {total} fylkene, vektet. Høyest: {best} "
                              "({best_value}), lavest: {worst} ({worst_value}). Landet uten "
                              "Oslo: {national}.",
        "series_national": "Landet uten Oslo",
        "series_county": "Kommunene i {county}",
        "series_norm": "Norm {norm}",
        "axis_count": "Antall kommuner",
        "axis_percent": "Prosent",
    },
    "nn": {
        "subject_county": "kommunane i {county}",
        "subject_national": "kommunane utan Oslo",
        "subject_sector": "kommunane",
        "none": "ingen",
        "subject_member": "{name} kommune",
        "subject_county_authority": "{name} fylkeskommune",
        "head_back_in_plus": "{Subject} tilbake i pluss",
        "head_into_deficit": "{Subject} går med underskot",
        "head_still_deficit": "Framleis underskot for {subject}",
        "head_better": "Betre resultat for {subject}",
        "head_weaker": "Svakare resultat for {subject}",
        "head_above_norm": "{Subject} over tilrådd nivå",
        "head_below_norm": "{Subject} under tilrådd nivå",
        "head_unknown": "Kommuneøkonomien {year}: {subject}",
        "lede_result": "{Subject} fekk samla eit netto driftsresultat på {value} i {year}.",
        "lede_result_member": "{Subject} fekk eit netto driftsresultat på {value} i {year}.",
        "lede_better": "Det er ei betring frå {before} året før.",
        "lede_weaker": "Det er ei svekking frå {before} året før.",
        "lede_same": "Det er på same nivå som året før.",
        "lede_no_before": "Det finst ikkje tal for året før.",
        "lede_unknown": "Det finst ikkje tal for netto driftsresultat for {subject} i {year}.",
        "lede_with_oslo": "Inkludert Oslo vart resultatet {value}.",
        "lede_coverage": "Talet omfattar {n} av {total} kommunar; det manglar tal for "
                         "{missing}.",
        "lede_coverage_before": "Året før omfatta talet {n} av {total} kommunar.",
        "norm_intro": "Det tekniske berekningsutvalet for kommunal og fylkeskommunal økonomi "
                      "(TBU) tilrår at netto driftsresultat over tid bør vere {norm} av "
                      "driftsinntektene for {kind}.",
        "norm_above": "{Subject} ligg {diff} over dette nivået.",
        "norm_below": "{Subject} ligg {diff} under dette nivået.",
        "norm_at": "{Subject} ligg på dette nivået.",
        "norm_reached": "{count} av {total} kommunar nådde norma i {year}.",
        "norm_short_above": "{Subject} ligg {diff} over norma på {norm}.",
        "norm_short_below": "{Subject} ligg {diff} under norma på {norm}.",
        "norm_short_same": "{Subject} ligg på norma på {norm}.",
        "kind_kommuner": "kommunane",
        "kind_fylkeskommuner": "fylkeskommunane",
        "deficit_count": "{count} av {reported} kommunar gjekk med underskot i {year}.",
        "deficit_fraction": "Kvar {fraction} kommune gjekk med underskot i {year}.",
        "deficit_none": "Ingen av kommunane gjekk med underskot i {year}.",
        "deficit_before": "Året før galdt det {count} av {reported}.",
        "deficit_before_none": "Året før gjekk ingen av dei med underskot.",
        "emptied_count": "{count} av {reported} kommunar har tømt disposisjonsfondet sitt.",
        "emptied_none": "Ingen av kommunane har tømt disposisjonsfondet sitt.",
        "emptied_share_change": "Delen kommunar som har tømt disposisjonsfondet, har "
                                "{direction} frå {before} til {now}.",
        "direction_up": "auka",
        "direction_down": "gått ned",
        "direction_same": "halde seg på",
        "emptied_share_same": "Delen kommunar som har tømt disposisjonsfondet, er {now}, "
                              "som året før.",
        "best_worst": "{best} hadde det sterkaste resultatet med {best_value}, medan {worst} "
                      "hadde det svakaste med {worst_value}.",
        "coverage_all": "Tala omfattar alle dei {total} kommunane.",
        "coverage_none": "Det finst ikkje tal for nokon av dei {total} kommunane.",
        "coverage_some": "Tala omfattar {reported} av {total} kommunar som har rapportert. "
                         "Det manglar tal for {missing}.",
        "robek_none": "Ingen av kommunane er førte opp i ROBEK, registeret over kommunar under "
                      "statleg kontroll (per {date}).",
        "robek_some": "{names} er førte opp i ROBEK, registeret over kommunar under statleg "
                      "kontroll (per {date}).",
        "robek_count": "{count} kommunar er førte opp i ROBEK, registeret over kommunar under "
                       "statleg kontroll (per {date}).",
        "robek_member": "{name} er ført opp i ROBEK, registeret over kommunar under statleg "
                        "kontroll (kommunelova § 28-1 {grounds}; per {date}).",
        "robek_member_not": "{name} er ikkje ført opp i ROBEK (per {date}).",
        "reserve": "Disposisjonsfondet til {subject} utgjorde {value} av driftsinntektene ved "
                   "utgangen av {year}.",
        "county_authority": "{name} fylkeskommune hadde eit netto driftsresultat på {value} i "
                            "{year}, mot {before} året før.",
        "county_authority_new": "{name} fylkeskommune hadde eit netto driftsresultat på {value} "
                                "i {year}.",
        "county_authority_missing": "Det finst ikkje tal for {name} fylkeskommune i {year}.",
        "county_authorities_total": "Fylkeskommunane utan Oslo fekk samla {value} i {year}, "
                                    "mot {before} året før.",
        "county_authority_norm_above": "Det er {diff} over norma for fylkeskommunane.",
        "county_authority_norm_below": "Det er {diff} under norma for fylkeskommunane.",
        "county_authority_norm_same": "Det er på norma for fylkeskommunane.",
        "national": "Kommunane utan Oslo fekk samla {value} i {year}.",
        "versus_above": "{Subject} ligg dermed {diff} over landet utan Oslo.",
        "versus_below": "{Subject} ligg dermed {diff} under landet utan Oslo.",
        "versus_same": "{Subject} ligg dermed på same nivå som landet utan Oslo.",
        "versus_county_above": "Det er {diff} over kommunane i {county} samla.",
        "versus_county_below": "Det er {diff} under kommunane i {county} samla.",
        "versus_county_same": "Det er på same nivå som kommunane i {county} samla.",
        "reserve_national": "I landet utan Oslo var disposisjonsfondet {value}.",
        "rank": "Rangert etter netto driftsresultat er {name} nummar {rank} av {total} kommunar "
                "i {county}.",
        "rank_first": "{name} har det beste resultatet av {total} kommunar i {county}.",
        "rank_county_authority": "Rangert etter netto driftsresultat er {name} nummar {rank} "
                                 "av {total} fylkeskommunar.",
        "rank_first_county_authority": "{name} har det beste resultatet av {total} "
                                       "fylkeskommunar.",
        "versus_group_above": "{Subject} ligg {diff} over {group} samla.",
        "versus_group_below": "{Subject} ligg {diff} under {group} samla.",
        "versus_group_same": "{Subject} ligg på same nivå som {group} samla.",
        "group_county_authorities": "fylkeskommunane utan Oslo",
        "reserve_emptied": "{Subject} har ikkje noko att på disposisjonsfondet.",
        "reserve_county": "For kommunane i {county} samla var det {value}.",
        "reserve_county_authorities": "For fylkeskommunane utan Oslo samla var det {value}.",
        "sector_counties_best": "Kommunane i {best} hadde samla det sterkaste resultatet med "
                                "{best_value}, kommunane i {worst} det svakaste med "
                                "{worst_value}.",
        "not_weighted": "Samla resultat kan ikkje bereknast fordi brutto driftsinntekter manglar.",
        "sample_note": "Kommunetala i denne rapporten er syntetiske eksempeldata laga for å "
                       "vise verktøyet. Dei er ikkje offisielle tal.",
        "chart_units_title": "Netto driftsresultat {year}, prosent av brutto driftsinntekter",
        "chart_units_alt": "Stolpediagram over netto driftsresultat i {year} for {total} "
                           "kommunar i {county}, sorterte. {above} av {total} ligg over norma "
                           "på {norm}. Høgast: {best} ({best_value}), lågast: {worst} "
                           "({worst_value}).",
        "chart_trend_title": "Netto driftsresultat {first}–{last}, prosent",
        "chart_trend_alt": "Linjediagram over netto driftsresultat {first}–{last} i prosent for "
                           "{series}, med norma på {norm}. I {last}: {values}.",
        "chart_trend_above": "{Subject} låg over landet i {count} av {years} år.",
        "bin_below": "under {hi}",
        "bin_between": "{lo} til {hi}",
        "bin_above": "{lo} og over",
        "chart_spread_title": "Kommunane etter netto driftsresultat {year}",
        "chart_spread_alt": "Søylediagram over kor mange kommunar som hadde netto "
                            "driftsresultat i kvart intervall i {year}. {deficit} av {reported} "
                            "hadde underskot.",
        "chart_counties_title": "Netto driftsresultat for kommunane i kvart fylke {year}",
        "chart_counties_alt": "Stolpediagram over netto driftsresultat i {year} for kommunane "
                              "i kvart av dei {total} fylka, vekta. Høgast: {best} "
                              "({best_value}), lågast: {worst} ({worst_value}). Landet utan "
                              "Oslo: {national}.",
        "series_national": "Landet utan Oslo",
        "series_county": "Kommunane i {county}",
        "series_norm": "Norm {norm}",
        "axis_count": "Talet på kommunar",
        "axis_percent": "Prosent",
    },
}

# «hver tredje»: ordinals for shares close to 1/n.
FRACTIONS = {
    "nb": {3: "tredje", 4: "fjerde", 5: "femte"},  # one in two is «annenhver»: say the count
    "nn": {3: "tredje", 4: "fjerde", 5: "femte"},
}

# Release labels travel with the data in bokmål; a nynorsk report says them in nynorsk.
RELEASE_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "nn": (("foreløpige tall", "førebelse tal"), ("reviderte tall", "reviderte tal"),
           ("hentet", "henta"), ("kalibrert mot", "kalibrerte mot")),
}

LANGUAGES = tuple(PHRASES)


def phrase(lang: str, key: str, **values: object) -> str:
    """One sentence in ``lang``; ``{Subject}`` is ``{subject}`` with a capital."""
    template = PHRASES[lang][key]
    if "subject" in values:
        subject = str(values["subject"])
        values["Subject"] = subject[:1].upper() + subject[1:]
    return template.format(**values)

# Fixed words of the report layout: headings, table headers, footer labels.
LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "press_release": "Pressemelding",
        "h_norm": "Resultatet målt mot normen",
        "h_spread": "Store forskjeller mellom kommunene",
        "h_county_authority": "Fylkeskommunen",
        "h_county_authorities": "Fylkeskommunene",
        "h_versus": "{county} sammenlignet med landet",
        "h_versus_member": "{name} sammenlignet med fylket og landet",
        "h_versus_national": "{name} sammenlignet med landet",
        "h_versus_county_authority": "{name} sammenlignet med de andre fylkeskommunene",
        "key_rank_county_authorities": "Plass blant fylkeskommunene",
        "h_table": "Kommunene i {county}",
        "h_counties": "Fylkene sammenlignet",
        "h_reserve": "Disposisjonsfond",
        "h_figures": "Tallene i figurene",
        "h_about_figures": "Om tallene",
        "h_contacts": "Kontakt",
        "h_about": "Om {organisation}",
        "keywords": "Nøkkelord",
        "col_municipality": "Kommune",
        "col_county": "Fylke",
        "col_ndr": "Netto driftsresultat {year}",
        "col_dispfond": "Disposisjonsfond {year}",
        "col_change": "Endring, prosentpoeng",
        "col_robek": "ROBEK",
        "col_rank": "Rang",
        "col_deficit": "Med underskudd",
        "col_county_authority": "Fylkeskommunen {year}",
        "col_year": "År",
        "col_interval": "Netto driftsresultat, prosent",
        "col_count": "Antall kommuner",
        "table_caption": "Netto driftsresultat og disposisjonsfond i prosent av brutto "
                         "driftsinntekter. – betyr at tall mangler.",
        "table_caption_counties": "Netto driftsresultat i prosent av brutto driftsinntekter: "
                                  "kommunene i hvert fylke samlet (vektet) og fylkeskommunen. "
                                  "– betyr at tall mangler.",
        "robek_yes": "Ja",
        "missing": "mangler",
        "key_ndr": "Netto driftsresultat {year}",
        "key_change": "Endring fra {year}",
        "key_norm": "Norm for {kind}",
        "key_deficit": "Kommuner med underskudd",
        "key_dispfond": "Disposisjonsfond",
        "key_rank": "Plass i fylket",
        "key_emptied": "Har tømt disposisjonsfondet",
        "key_with_oslo": "Inkludert Oslo",
        "key_county_authorities": "Fylkeskommunene uten Oslo",
        "key_municipalities": "Kommunene uten Oslo",
        "of": "av",
        "from": "fra {value}",
        "points": "prosentpoeng",
        "source": "Kilde",
        "release": "Tallgrunnlag",
        "scope": "Omfang",
        "method": "Beregning",
        "method_text": "Samlede resultater er summen av netto driftsresultat delt på summen av "
                       "brutto driftsinntekter (vektet), ikke et gjennomsnitt av prosenter.",
        "scope_konsern": "konsern (kommunen med foretak og selskaper)",
        "scope_kasse": "kommunekasse (kommunen alene)",
        "without_oslo": "Landstall for kommunene er oppgitt uten Oslo der ikke annet står; "
                        "fylkeskommunene er summert uten Oslo.",
        "ssb_credit": "Kilde: Statistisk sentralbyrå (SSB)",
        "source_SSB 12134": "SSB, tabell 12134 (utvalgte nøkkeltall for kommuneregnskap, "
                            "konsern)",
        "source_SSB 13561": "SSB, tabell 13561 (fylkeskommunenes regnskap, konsern)",
        "source_sample": "Eksempeldata: syntetiske kommunetall laget av kommunerapport, "
                         "kalibrert mot SSBs tall for landet",
        "note_borders": "Tallene for {year} er gruppert etter fylkesinndelingen fra 2024.",
        "robek_caption": "ROBEK: registeret per {date}.",
        "says": "sier",
        "data_in_table": "Tallene står i tabellen «{table}».",
    },
    "nn": {
        "press_release": "Pressemelding",
        "h_norm": "Resultatet målt mot norma",
        "h_spread": "Store skilnader mellom kommunane",
        "h_county_authority": "Fylkeskommunen",
        "h_county_authorities": "Fylkeskommunane",
        "h_versus": "{county} samanlikna med landet",
        "h_versus_member": "{name} samanlikna med fylket og landet",
        "h_versus_national": "{name} samanlikna med landet",
        "h_versus_county_authority": "{name} samanlikna med dei andre fylkeskommunane",
        "key_rank_county_authorities": "Plass blant fylkeskommunane",
        "h_table": "Kommunane i {county}",
        "h_counties": "Fylka samanlikna",
        "h_reserve": "Disposisjonsfond",
        "h_figures": "Tala i figurane",
        "h_about_figures": "Om tala",
        "h_contacts": "Kontakt",
        "h_about": "Om {organisation}",
        "keywords": "Nøkkelord",
        "col_municipality": "Kommune",
        "col_county": "Fylke",
        "col_ndr": "Netto driftsresultat {year}",
        "col_dispfond": "Disposisjonsfond {year}",
        "col_change": "Endring, prosentpoeng",
        "col_robek": "ROBEK",
        "col_rank": "Rang",
        "col_deficit": "Med underskot",
        "col_county_authority": "Fylkeskommunen {year}",
        "col_year": "År",
        "col_interval": "Netto driftsresultat, prosent",
        "col_count": "Talet på kommunar",
        "table_caption": "Netto driftsresultat og disposisjonsfond i prosent av brutto "
                         "driftsinntekter. – tyder at tal manglar.",
        "table_caption_counties": "Netto driftsresultat i prosent av brutto driftsinntekter: "
                                  "kommunane i kvart fylke samla (vekta) og fylkeskommunen. "
                                  "– tyder at tal manglar.",
        "robek_yes": "Ja",
        "missing": "manglar",
        "key_ndr": "Netto driftsresultat {year}",
        "key_change": "Endring frå {year}",
        "key_norm": "Norm for {kind}",
        "key_deficit": "Kommunar med underskot",
        "key_dispfond": "Disposisjonsfond",
        "key_rank": "Plass i fylket",
        "key_emptied": "Har tømt disposisjonsfondet",
        "key_with_oslo": "Inkludert Oslo",
        "key_county_authorities": "Fylkeskommunane utan Oslo",
        "key_municipalities": "Kommunane utan Oslo",
        "of": "av",
        "from": "frå {value}",
        "points": "prosentpoeng",
        "source": "Kjelde",
        "release": "Talgrunnlag",
        "scope": "Omfang",
        "method": "Utrekning",
        "method_text": "Samla resultat er summen av netto driftsresultat delt på summen av "
                       "brutto driftsinntekter (vekta), ikkje eit gjennomsnitt av prosentar.",
        "scope_konsern": "konsern (kommunen med føretak og selskap)",
        "scope_kasse": "kommunekasse (kommunen åleine)",
        "without_oslo": "Landstal for kommunane er oppgitt utan Oslo der ikkje anna står; "
                        "fylkeskommunane er summerte utan Oslo.",
        "ssb_credit": "Kjelde: Statistisk sentralbyrå (SSB)",
        "source_SSB 12134": "SSB, tabell 12134 (utvalde nøkkeltal for kommunerekneskap, "
                            "konsern)",
        "source_SSB 13561": "SSB, tabell 13561 (rekneskapen til fylkeskommunane, konsern)",
        "source_sample": "Eksempeldata: syntetiske kommunetal laga av kommunerapport, "
                         "kalibrerte mot tala til SSB for landet",
        "note_borders": "Tala for {year} er grupperte etter fylkesinndelinga frå 2024.",
        "robek_caption": "ROBEK: registeret per {date}.",
        "says": "seier",
        "data_in_table": "Tala står i tabellen «{table}».",
    },
}
