"""The built-in routines carry every point of the seed guide (the massage therapist's ankle-pump
guide) in every language: each point is looked for, in that language's words, in what the
routines say and describe."""

from __future__ import annotations

import pytest

from voice_coach.lang import language_codes
from voice_coach.routine import builtin_names, builtin_text

LANGUAGES = ["en", "de", "fr", "es", "it", "pt", "nl", "zh"]
# Each point of the guide, and how each language's routines put it.
POINTS: dict[str, tuple[str, ...]] = {
    "calves as a second heart": ("second heart", "zweites herz", "second cœur",
                                 "segundo corazón", "secondo cuore", "segundo coração",
                                 "tweede hart", "第二心脏"),
    "toes up: dorsiflexion": ("dorsiflexion", "dorsalflexion", "flexion dorsale",
                              "flexión dorsal", "flessione dorsale", "flexão dorsal",
                              "dorsaalflexie", "背屈"),
    "toes down: plantarflexion": ("plantarflexion", "plantarflexion", "flexion plantaire",
                                  "flexión plantar", "flessione plantare", "flexão plantar",
                                  "plantairflexie", "跖屈"),
    "as far as comfortable": ("as far as is comfortable", "so weit es angenehm ist",
                              "aussi loin que c'est confortable", "hasta donde resulte cómodo",
                              "fin dove è comodo", "até onde for confortável",
                              "zo ver als prettig is", "舒适的最大程度"),
    "one up and one down is one repetition": (
        "one up and one down is one repetition", "einmal hoch und einmal",
        "une montée et une descente font une répétition",
        "una subida y una bajada son una repetición",
        "una salita e una discesa sono una ripetizione",
        "uma subida e uma descida são uma repetição",
        "één keer omhoog en één keer omlaag is één herhaling", "一勾一踩算一次"),
    "sitting: feet flat, knees bent": ("feet flat on the floor", "füße flach auf dem boden",
                                       "pieds à plat sur le sol", "pies apoyados en el suelo",
                                       "piedi appoggiati a terra", "pés apoiados no chão",
                                       "voeten plat op de grond", "双脚平放在地上"),
    "deep vein thrombosis": ("deep vein thrombosis", "tiefen venenthrombose",
                             "thrombose veineuse profonde", "trombosis venosa profunda",
                             "trombosi venosa profonda", "trombose venosa profunda",
                             "diepe veneuze trombose", "深静脉血栓"),
    "lymphatic drainage": ("lymphatic drainage", "lymphdrainage", "drainage lymphatique",
                           "drenaje linfático", "linfodrenaggio", "drenagem linfática",
                           "lymfedrainage", "淋巴引流"),
    "a pillow: ankles above the heart": ("higher than your heart", "höher liegen als das herz",
                                         "plus hautes que le cœur", "más altos que el corazón",
                                         "più in alto del cuore", "acima do coração",
                                         "hoger liggen dan", "高于心脏"),
    "10 to 30 repetitions, 3 to 5 sets a day": (
        "10 to 30 repetitions", "zehn bis dreißig wiederholungen", "dix à trente répétitions",
        "de diez a treinta repeticiones", "da dieci a trenta ripetizioni",
        "de dez a trinta repetições", "tien tot dertig herhalingen", "十到三十次"),
    "spare moments: TV, reading, before bed": ("advert break", "werbepause",
                                               "pause publicitaire", "pausa publicitaria",
                                               "pausa pubblicitaria", "intervalo comercial",
                                               "reclameblok", "广告时间"),
    "never hold the breath": ("never hold your breath", "nie die luft an",
                              "sans jamais bloquer", "sin contener nunca el aliento",
                              "senza mai trattenere il fiato", "nunca prenda a respiração",
                              "houd nooit uw adem in", "不要憋气"),
    "under a professional's guidance": ("healthcare professional", "fachperson",
                                        "conduite d'un professionnel", "profesional sanitario",
                                        "professionista sanitario", "profissional de saúde",
                                        "zorgverlener", "医护人员"),
    "health, not injury": ("never injury", "nie eine verletzung", "jamais la blessure",
                           "nunca una lesión", "mai un infortunio", "nunca uma lesão",
                           "nooit een blessure", "而不是受伤"),
    "TCM meridians": ("meridians", "meridiane", "méridiens", "meridianos", "meridiani",
                      "meridianos", "meridianen", "膀胱经"),
    "Qi and Blood": ("qi and blood", "qi und blut", "qi et du sang", "qi y a la sangre",
                     "qi e sangue", "qi e o sangue", "qi en bloed", "气血"),
    "gallbladder": ("gallbladder", "gallenblase", "vésicule biliaire", "vesícula biliar",
                    "cistifellea", "vesícula biliar", "galblaas", "利胆"),
    "immunity and self-healing": ("self-healing", "selbstheilung", "autoguérison",
                                  "autocuración", "autoguarigione", "autocura", "zelfherstel",
                                  "自愈"),
    "knees": ("knees", "knie", "genoux", "rodillas", "ginocchia", "joelhos", "knieën", "膝关节"),
    "middle-aged and older adults": ("middle-aged", "mittleren und älteren", "âge mûr",
                                     "mediana edad", "mezza età", "meia idade", "middelbare",
                                     "中老年人"),
    "fascial chains": ("fascial chains", "faszienketten", "chaînes fasciales",
                       "cadenas fasciales", "catene fasciali", "cadeias fasciais",
                       "fasciaketens", "筋膜链"),
    "waste carried away": ("waste", "abfallstoffe", "déchets", "desechos", "scorie",
                           "resíduos", "afvalstoffen", "代谢废物"),
    "shoulders, neck and back": ("neck", "nacken", "nuque", "cuello", "collo", "pescoço",
                                 "nek", "肩颈"),
    "chronic pain: a safe start": ("chronic pain", "chronischen schmerzen", "douleur chronique",
                                   "dolor crónico", "dolore cronico", "dor crônica",
                                   "chronische pijn", "慢性疼痛"),
    "endorphins": ("endorphins", "endorphine", "endorphines", "endorfinas", "endorfine",
                   "endorfinas", "endorfines", "内啡肽"),
    "pain threshold": ("pain threshold", "schmerzschwelle", "seuil de la douleur",
                       "umbral del dolor", "soglia del dolore", "limiar da dor", "pijngrens",
                       "痛阈"),
    "drowsy mornings": ("drowsy", "schläfrig", "endormi", "adormilado", "assonnati",
                        "sonolento", "slaperig", "昏昏沉沉"),
    "out of a sedentary day": ("sedentary", "bewegungsarm", "sédentaire", "sedentario",
                               "sedentaria", "sedentário", "dag vol zitten", "久坐不动"),
    "flights": ("flight", "flug", "vol", "vuelo", "volo", "voo", "vlucht", "飞机"),
    "every day: consistency": ("every day matters more", "jeden tag zu üben zählt mehr",
                               "chaque jour compte plus", "a diario importa más",
                               "ogni giorno conta più", "todos os dias importa mais",
                               "elke dag oefenen telt meer", "每天坚持"),
    "stop at severe pain": ("severe pain", "starken schmerzen", "douleur forte",
                            "dolor fuerte", "dolore forte", "dor forte", "hevige pijn",
                            "剧烈疼痛"),
}


def test_every_language_is_covered() -> None:
    assert sorted(LANGUAGES) == sorted(language_codes())


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_routines_carry_every_point_of_the_guide(code: str) -> None:
    text = " ".join(" ".join(builtin_text(name, code).split()) for name in builtin_names())
    text = text.lower()
    missing = [point for point, words in POINTS.items()
               if words[LANGUAGES.index(code)].lower() not in text]
    assert missing == []
