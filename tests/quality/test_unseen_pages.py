"""The bundled packs on 364 hand-labelled pages written after the chrome of sites the benchmark
lacks (tests/data/unseen/): no article line may go but five known losses, and the chrome
they share with other sites (menus, date lines, credits, imprint footers, newsletter and
social prompts, player labels) must. Measured when set (docs/quality.md): keep 4579 of 4584
lines, chrome 0.942 with rules and near-dup; the first look at each batch, before the rules
it prompted: 0.851 (eight pages), 0.677 (six), 0.697 (five, two in Vietnamese), 0.712 (four
page types: an explainer, a live blog, a US regional paper, an Indonesian site), 0.683 (four
pages whose article holds lists: a match report, a recipe, a press release, a "key points"
box), where keep 1.000 is the point, and 0.966 (two Hanoi Times pages recombining the seeds'
shapes: a brief, an inline related box), 0.766 (Spanish, French and German pages), 0.815
(Russian, Portuguese, Chinese); ninth session: 0.869 (eight sites: wires, Australian,
Indian, Pakistani, Philippine, Cambodian, Korean), 0.721 (seven: Italian, Dutch, Japanese, a
markets story), 0.730 (seven: local TV, Gulf, Malaysian, Mexican, Polish, a terminal
vendor's news site, Euronews), 0.896 (six Vietnamese and Lao English-language sites), 0.817
(seven: British tabloid and TV, Israeli, Turkish agency, Indonesian, Kenyan, Philippine;
keep 0.977 at first, a header rule took a headline), 0.679 (Arabic, Hindi, Turkish, Korean,
two US sites), 0.857 (page types: a timeline, an interview, a paginated review, an obituary,
a forecast, a gallery), 0.638 (Swedish, Czech, Greek, Ukrainian, Argentine Spanish, European
Portuguese), 0.886 (six Vietnamese-language sites), 0.706 (blog and forum platforms), 0.832
(Singapore, Taiwan, New Zealand, South Africa, Gulf, Israel), 0.741 (French, German,
Italian, Spanish), 0.914 (South and Southeast Asia), 0.947 (list-shaped page types), 0.932
(six more Vietnamese-language papers), 0.846 (sports, entertainment, tech, health), 0.832
(East Asia), 0.778 (Africa and Latin America), 0.861 (broadcasters), 0.870 (shapes that put
article lines at risk; keep 0.958 at first: a rule of the first batch took a "Watch: ..."
headline), 0.827 (local-newspaper group templates), 0.824 (Russian, Spanish, Italian), and a
Hanoi Times interview (keep 0.778 at first: an inline box above short answers was taken for
the footer), 1.000 (two more Hanoi Times pages); tenth session: 0.795 (six US and Canadian
sites), 0.838 (Irish, British, Australian, New Zealand and Canadian sites), 0.970 (three
more Hanoi Times pages: an opinion piece, a list of figures, a page without the header),
0.716 (Norwegian, Danish, Finnish, Romanian, Hungarian, Bulgarian), 0.894 (five US papers
and magazines), 0.838 (six Middle Eastern English-language sites); eleventh session: 0.837
(six US digital outlets: Patch, a Nexstar station, an Advance Local paper, Yahoo News,
Slate, Ars Technica), 0.898 (BBC News, the LA Times, the Toronto Star, news.com.au, NDTV,
the Hindustan Times; written and labelled blind, by a helper who had not seen the rules),
0.859 (six more written blind: New York Post, CNET, Deadline, Space.com, MarketWatch, The
Register), 0.721 (six more written blind, in German, French, Spanish, Portuguese, Indonesian
and Japanese: tagesschau.de, Le Parisien, ABC, O Globo, detik, Asahi), 0.950 (blind: The
Sun, the Evening Standard, The Scotsman, the Irish Independent, The Australian, RNZ), 0.687
(blind: Chicago Tribune, Boston Globe, Texas Tribune, ProPublica, Vox, TIME), 0.938 (blind,
six Hanoi Times pages written from the seeds alone: the site's own pack on held-out pages),
0.843 (blind: Korea JoongAng Daily, The Japan News, The Irrawaddy, Borneo Post, Nikkei Asia,
Manila Bulletin), 0.845 (blind: six US local TV stations and papers of the TEGNA, Gray,
Sinclair, Hearst and Scripps groups); twelfth session, all blind: 0.728 (USA Today, Star
Tribune, Seattle Times, CalMatters, Guardian US, Mother Jones; keep 0.994: a title under the
menu), 0.655 (Le Monde, Der Spiegel, El País, Folha, de Volkskrant, Onet), 1.000 (six more
Hanoi Times pages from the seeds alone; keep 0.977: a table's rows read as link bars), 0.925
(six more Hanoi Times pages: officials, an op-ed, an event, a gallery, a market brief, a
Q&A), 0.735 (FT, The Economist, WSJ, SCMP, The Straits Times, The Times of India; keep
0.932: place-name lists an article introduces read as menus), 0.953 (six Vietnamese
English-language sites), 0.742 (page types: a newswire press release, a podcast transcript,
a football live blog, a fact check, court news behind a paywall, a council recap; keep
0.957: a transcript's repeated stage directions, a fact check's sources under "Our Sources",
the release's "About" heading and contacts), 0.665 (Il Sole 24 Ore, Yomiuri, Chosun Ilbo,
The Paper, Al Jazeera Arabic, Gazeta.ru), 0.969 (six more Hanoi Times pages), 0.875 (Bangkok
Post, The Daily Star, the Jamaica Gleaner, The Citizen, the Buenos Aires Times, Radio Free
Asia; keep 0.994: a quoted subheading under a related box), 0.922 (six more Hanoi Times
pages), 0.857 (Reuters, AP, The Independent, the Hindustan Times, Euronews, a WordPress
weekly; keep 0.990: two subheadings under related boxes, since left by `subheading_words`);
thirteenth session, all blind: 0.949 (six more Hanoi Times pages: a metro line, an events
roundup, a tourism guide, a statistics brief, a press conference, a commemoration; keep
0.993: a figures table's header row read as a link bar), 0.834 (Punch, The Standard, The
Kyiv Independent, NZZ, La Nación, CTV News), 0.798 (Ynetnews, Balkan Insight, LRT English,
the Daily Mirror of Sri Lanka, Semana, the Kronen Zeitung), 0.917 (six more Hanoi Times
pages: a video page, a column, a daily digest, a series part, a correction, a lifestyle
piece; keep 0.994: the part's headline under the list of parts, a repeat of it), 0.786
(Semafor, POLITICO Europe, Mint, Business Standard, The Globe and Mail, Al-Monitor; keep
0.995: the first section heading under a table of contents), 1.000 (six more Hanoi Times
pages: real estate, a court verdict, a festival schedule, a ranking, a Q&A, a weather
alert; keep 0.994: a ranking's "9. Mexico City, Mexico" read as a caption's credit).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.quality.helpers import quality_eval

DATA = Path(__file__).resolve().parents[1] / "data" / "unseen"
# Below the measured 0.942 (rules and near-dup) / 0.939 (rules only): each blind batch adds
# pages at its after-rules recall (0.86-1.00), so the mean drifts; a lost pattern would
# still fail it.
CHROME_FLOOR = 0.935
# The article lines the packs lose, known and left (docs/quality.md): a three-word title
# right under the menu, after its kicker ("Investigation" / "The Slow Ambulance"), reads as
# one more menu label; a press release's "About <Company>" heading and its contacts' bare
# e-mail addresses read as a site's footer links (labelled article text: the release's
# own); a figures table's header row ("Indicator | Value | Change y-o-y") reads as a
# link bar (its rows hold percentages; the header has nothing to tell it from a menu's
# "Home | News | Sport"). Any other loss, or one of these fixed, fails the test.
KNOWN_LOSSES = {
    ("motherjones_like.txt", 10, "generic/menu-run"),
    ("pressrelease2_like.txt", 37, "generic/site-links"),
    ("pressrelease2_like.txt", 44, "generic/contact-email"),
    ("pressrelease2_like.txt", 48, "generic/contact-email"),
    ("hanoitimes_econ_stats_like.txt", 17, "generic/link-bar"),
}


@pytest.mark.parametrize("rules_only", [False, True], ids=["rules+neardup", "rules-only"])
def test_bundled_rules_on_pages_of_unseen_sites(rules_only: bool) -> None:
    score = quality_eval().eval_seeds(
        DATA / "pages", DATA / "labels.tsv", None, rules_only=rules_only
    )
    assert score.body >= 4580 and score.chrome >= 10400  # every labelled line was scored
    lost = {(doc, line, who) for doc, line, who, _ in score.false_positives}
    assert lost == KNOWN_LOSSES
    assert score.chrome_recall >= CHROME_FLOOR


def test_every_page_is_labelled() -> None:
    labelled = {row.split("\t")[0] for row in (DATA / "labels.tsv").read_text().splitlines()[1:]}
    assert labelled == {p.name for p in (DATA / "pages").glob("*.txt")}
