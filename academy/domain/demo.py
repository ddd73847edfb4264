"""Synthetic people and companies for demonstrations and benchmarks: plausible, fictional, seeded.

Names come from several cultures and scripts (Latin with diacritics, Arabic, Cyrillic, Greek,
Devanagari, Han, Hangul, Kana), written the way their bearers write them (family name first where
that is the custom); each carries a romanised form for the email address. Company names are made
up from neutral parts. Everything is drawn from a ``random.Random`` the caller seeds, so the same
seed gives the same people.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from dataclasses import dataclass

#: (given names, family names, family name first?) with each name as (as written, romanised).
CULTURES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], bool]] = {
    "english": ((("Olivia", "olivia"), ("James", "james"), ("Amelia", "amelia"), ("Noah", "noah"),
                 ("Grace", "grace"), ("Harry", "harry"), ("Siobhan", "siobhan"), ("Callum", "callum")),
                (("Smith", "smith"), ("Okafor", "okafor"), ("Patel", "patel"), ("O'Brien", "obrien"),
                 ("Wright", "wright"), ("Hughes", "hughes"), ("McAllister", "mcallister"), ("Khan", "khan")), False),
    "spanish": ((("José", "jose"), ("María", "maria"), ("Lucía", "lucia"), ("Álvaro", "alvaro"),
                 ("Inés", "ines"), ("Sebastián", "sebastian")),
                (("García Márquez", "garcia"), ("Núñez", "nunez"), ("Fernández", "fernandez"), ("Peña", "pena"),
                 ("Ortega", "ortega"), ("Ibáñez", "ibanez")), False),
    "polish": ((("Łukasz", "lukasz"), ("Zofia", "zofia"), ("Wojciech", "wojciech"), ("Małgorzata", "malgorzata")),
               (("Wiśniewski", "wisniewski"), ("Żółkiewska", "zolkiewska"), ("Kowalczyk", "kowalczyk"),
                ("Grzegorczyk", "grzegorczyk")), False),
    "german": ((("Jürgen", "juergen"), ("Lena", "lena"), ("Jörg", "joerg"), ("Anneliese", "anneliese")),
               (("Müller", "mueller"), ("Groß", "gross"), ("Schäfer", "schaefer"), ("Weiß", "weiss")), False),
    "french": ((("Chloé", "chloe"), ("François", "francois"), ("Anaïs", "anais"), ("Jérôme", "jerome")),
               (("Lefèvre", "lefevre"), ("Dubois", "dubois"), ("Bérenger", "berenger"), ("Rousseau", "rousseau")),
               False),
    "turkish": ((("Çağla", "cagla"), ("Oğuz", "oguz"), ("Şule", "sule"), ("İsmail", "ismail")),
                (("Yılmaz", "yilmaz"), ("Öztürk", "ozturk"), ("Şahin", "sahin"), ("Çelik", "celik")), False),
    "vietnamese": ((("Thị Lan", "lan"), ("Văn Minh", "minh"), ("Thu Hằng", "hang"), ("Quốc Bảo", "bao")),
                   (("Nguyễn", "nguyen"), ("Trần", "tran"), ("Phạm", "pham"), ("Lê", "le")), True),
    "yoruba": ((("Adéwálé", "adewale"), ("Olúwaseun", "oluwaseun"), ("Fọlákẹ́", "folake"), ("Tèmítọ́pẹ́", "temitope")),
               (("Adébáyọ̀", "adebayo"), ("Ògúnlérè", "ogunlere"), ("Afọláyan", "afolayan"), ("Òkè", "oke")), False),
    "arabic": ((("محمد", "mohammed"), ("فاطمة", "fatima"), ("يوسف", "youssef"), ("ليلى", "layla")),
               (("العلي", "alali"), ("حداد", "haddad"), ("الخطيب", "alkhatib"), ("منصور", "mansour")), False),
    "russian": ((("Анна", "anna"), ("Дмитрий", "dmitry"), ("Екатерина", "ekaterina"), ("Сергей", "sergey")),
                (("Иванова", "ivanova"), ("Смирнов", "smirnov"), ("Кузнецова", "kuznetsova"), ("Попов", "popov")),
                False),
    "greek": ((("Ελένη", "eleni"), ("Γιώργος", "giorgos"), ("Κατερίνα", "katerina"), ("Νίκος", "nikos")),
              (("Παπαδοπούλου", "papadopoulou"), ("Οικονόμου", "oikonomou"), ("Γεωργίου", "georgiou"),
               ("Δημητρίου", "dimitriou")), False),
    "hindi": ((("अनन्या", "ananya"), ("राहुल", "rahul"), ("प्रिया", "priya"), ("अर्जुन", "arjun")),
              (("शर्मा", "sharma"), ("वर्मा", "verma"), ("गुप्ता", "gupta"), ("सिंह", "singh")), False),
    "chinese": ((("伟", "wei"), ("芳", "fang"), ("静怡", "jingyi"), ("浩然", "haoran")),
                (("王", "wang"), ("李", "li"), ("张", "zhang"), ("陈", "chen")), True),
    "japanese": ((("陽翔", "haruto"), ("さくら", "sakura"), ("美咲", "misaki"), ("大翔", "hiroto")),
                 (("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka")), True),
    "korean": ((("민준", "minjun"), ("서연", "seoyeon"), ("지우", "jiwoo"), ("하은", "haeun")),
               (("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi")), True),
}

_COMPANY_FIRST = ("Northbank", "Bluefield", "Harbourline", "Kestrel", "Meridian", "Oakridge", "Pinecrest",
                  "Quayside", "Redfern", "Silverbirch", "Thornbury", "Westmere", "Ashgrove", "Brightwater",
                  "Coldharbour", "Driftwood", "Eastgate", "Fairhaven", "Glenmoor", "Highcliff", "Ironbridge",
                  "Juniper", "Larkspur", "Millbrook", "Nettlefield", "Orchard Lane", "Riverside", "Stonebridge",
                  "Tidewell", "Upland", "Valemount", "Wrenfield")
_COMPANY_SECOND = ("Financial", "Logistics", "Health", "Energy", "Telecom", "Insurance", "Retail Group",
                   "Manufacturing", "Water", "Rail", "Airways", "Foods", "Pharma", "Bank", "Mutual", "Digital")

REVOCATION_REASONS = ("Exam misconduct", "Issued in error", "Identity could not be confirmed",
                      "Certificate obtained with another person's account")


@dataclass(frozen=True)
class Person:
    name: str
    #: ASCII, for the local part of an email address.
    handle: str


def person(rng: random.Random) -> Person:
    """A name from one of :data:`CULTURES`, in its own script and order."""
    given_names, family_names, family_first = CULTURES[rng.choice(tuple(CULTURES))]
    given, family = rng.choice(given_names), rng.choice(family_names)
    name = f"{family[0]}{'' if _is_cjk(family[0]) else ' '}{given[0]}" if family_first else f"{given[0]} {family[0]}"
    return Person(name, f"{given[1]}.{family[1]}")


def _is_cjk(text: str) -> bool:
    # Chinese and Japanese names are written without a space; Korean and Vietnamese use one.
    return any("CJK" in unicodedata.name(ch, "") or "HIRAGANA" in unicodedata.name(ch, "") for ch in text)


def company_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct fictional company names."""
    pairs = [f"{a} {b}" for a in _COMPANY_FIRST for b in _COMPANY_SECOND]
    return rng.sample(pairs, min(count, len(pairs)))


def email_domain(company: str) -> str:
    """A reserved-for-examples domain for a company: ``northbank-financial.example``."""
    return re.sub(r"[^a-z0-9]+", "-", company.lower()).strip("-") + ".example"


# --- Answers from an ability model ------------------------------------------------------------------

@dataclass(frozen=True)
class ItemModel:
    """A question under the two-parameter logistic (2PL) model of item response theory.

    A learner of ability ``theta`` answers correctly with probability
    ``1 / (1 + exp(-a * (theta - b)))``: ``b`` is the item's difficulty, ``a`` how sharply it
    separates learners around that difficulty. Wrong answers fall on the distractors unevenly, as
    real ones do (one distractor is usually the tempting one).
    """

    difficulty: float
    discrimination: float
    #: Seed for the distractors' pull, so an item's tempting distractor is the same for every learner.
    seed: str

    def p_correct(self, knowledge: float) -> float:
        """``knowledge`` (0..1, the demo's skill) as ability on the logit scale, then the 2PL curve."""
        knowledge = min(max(knowledge, 0.01), 0.99)
        theta = math.log(knowledge / (1 - knowledge))
        return 1 / (1 + math.exp(-self.discrimination * (theta - self.difficulty)))

    def pull(self, options: list[str]) -> list[float]:
        """A weight per wrong option: how tempting it is."""
        return [random.Random(f"{self.seed}:{key}").uniform(0.2, 3.0) for key in options]


def item_model(seed: str) -> ItemModel:
    """The same difficulty and discrimination for an item every time (drawn from ``seed``)."""
    rng = random.Random(seed)
    return ItemModel(difficulty=rng.gauss(1.2, 1.0), discrimination=rng.uniform(0.4, 2.2), seed=seed)
