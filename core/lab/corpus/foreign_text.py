"""Sentences in other languages, written for this project (GPL-3.0-or-later like the code).

Each language has short clauses rich in bilabials, labiodentals and rounded vowels; sentences
join 1-6 of them at random (seeded) so lengths vary from about 1 to 15 s.
"""

import numpy as np

CLAUSES: dict[str, tuple[str, ...]] = {
    "es": (
        "Pablo bebe un poco de vino blanco",
        "mamá compra pan y membrillo",
        "el barco bajó por el puerto",
        "Beatriz busca su bolso bonito",
        "vamos a la playa en primavera",
        "el pobre hombre pidió ayuda",
        "mi abuelo fuma en la ventana",
        "la bomba de agua no funciona",
        "un pájaro pequeño vuela sobre el campo",
        "Pepe toma mate por la mañana",
        "las uvas maduras están en la mesa",
        "bueno, bueno, ya lo veremos",
        "el lobo y el búho duermen",
        "prefiero un café muy fuerte",
    ),
    "fr": (
        "Paul boit un bol de bon lait",
        "maman a mis le beurre sur le pain",
        "le petit bateau passe sous le pont",
        "Bernard porte un beau chapeau bleu",
        "nous partons en vacances au mois de mai",
        "le pauvre homme pleure",
        "une pomme tombe de l'arbre",
        "il fait froid ce matin",
        "la boulangère vend des brioches",
        "ma mère parle peu",
        "les moutons broutent dans le pré",
        "pourquoi pas, on verra bien",
        "un hibou vole au-dessus du bois",
        "Pierre préfère le vin rouge",
    ),
    "de": (
        "Papa bringt Brot und Butter mit",
        "meine Mutter malt ein Bild",
        "das Boot fährt über den blauen See",
        "Bernd baut einen Baum aus Papier",
        "wir fahren im Mai nach Bremen",
        "der arme Mann bittet um Hilfe",
        "ein Apfel fällt vom Baum",
        "im Winter wird es sehr kalt",
        "die Blumen blühen im Park",
        "Oma mag Pflaumenkuchen",
        "der Vogel fliegt hoch über dem Wald",
        "vielleicht kommt er morgen",
        "Bob und Pam treffen sich am Brunnen",
        "puh, das war knapp",
    ),
    "it": (
        "Paolo beve un po' di vino bianco",
        "la mamma compra pane e burro",
        "la barca passa sotto il ponte",
        "Beppe porta un bel cappello blu",
        "partiamo per le vacanze a maggio",
        "il povero uomo piange",
        "una mela cade dall'albero",
        "fa molto freddo stamattina",
        "il bambino mangia la pappa",
        "mio padre parla poco",
        "le pecore pascolano nel prato",
        "forse verrà domani",
        "un gufo vola sopra il bosco",
        "Pietro preferisce il vino rosso",
    ),
    "pt": (
        "Paulo bebe um pouco de vinho branco",
        "a mamã compra pão e manteiga",
        "o barco passa por baixo da ponte",
        "Beatriz procura a bolsa bonita",
        "vamos à praia na primavera",
        "o pobre homem pede ajuda",
        "uma maçã cai da árvore",
        "faz muito frio esta manhã",
        "o bebé bebe o leite",
        "o meu pai fala pouco",
        "as ovelhas pastam no campo",
        "talvez ele venha amanhã",
        "um mocho voa sobre o bosque",
        "Pedro prefere o vinho tinto",
    ),
}
_JOINERS = (", ", " e ", ". ", "? ", ", ")


def foreign_sentences(language: str, count: int, seed: int) -> list[str]:
    """`count` sentences in `language` (es, fr, de, it, pt), each 1-6 clauses long."""
    clauses = CLAUSES[language]
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        n = int(rng.integers(1, 7))
        picked = [clauses[int(i)] for i in rng.choice(len(clauses), n, replace=False)]
        text = picked[0]
        for clause in picked[1:]:
            joiner = _JOINERS[int(rng.integers(len(_JOINERS)))]
            joiner = ", " if joiner == " e " and language != "pt" and language != "it" else joiner
            text += joiner + (clause[0].upper() + clause[1:] if joiner[0] in ".?" else clause)
        out.append(text[0].upper() + text[1:] + ".")
    return out
