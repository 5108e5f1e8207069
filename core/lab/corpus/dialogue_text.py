"""Conversational English for the corpus: lines, questions, exclamations and short replies.

Written for this project (GPL-3.0-or-later like the code). Neural voices (Kokoro) read a
question or an exclamation with its own melody, so dialogue is worth having beside the
generated and book sentences. Lines are templates filled with seeded choices; many carry
/p b m/ across word boundaries ("I'm buying", "come back", "stop by").
"""

import numpy as np

REPLIES = (
    "Yes.",
    "No.",
    "Maybe.",
    "Sure!",
    "Okay.",
    "Mm-hmm.",
    "Hmm?",
    "Oh my!",
    "Why not?",
    "Perfect.",
    "Probably.",
    "Not me.",
    "By Monday?",
    "Absolutely!",
    "My bad.",
    "Me too.",
    "Please?",
    "Bye!",
    "Bummer.",
    "Big mistake.",
    "Stop!",
    "Good job!",
    "Pardon?",
    "I'm back.",
    "Move!",
    "Be my guest.",
    "Maybe not.",
    "Help me!",
    "Thank you.",
    "Really?",
    "Oh, brilliant.",
    "Amazing!",
    "Nope.",
    "Beep beep!",
    "Come on!",
    "Same here.",
    "Fine by me.",
    "Whatever you want.",
    "Oh boy.",
    "Ha! Impossible.",
)

NAMES = (
    "Bob",
    "Pam",
    "Mike",
    "Emma",
    "Ben",
    "Maya",
    "Paul",
    "Molly",
    "Tom",
    "Beth",
    "Sam",
    "Pablo",
    "Mia",
    "Abby",
    "Jim",
    "Kate",
    "Robin",
    "Amber",
    "Max",
    "Poppy",
)
PLACES = (
    "the pub",
    "the beach",
    "the bank",
    "the museum",
    "the market",
    "Boston",
    "the park",
    "my place",
    "the bus stop",
    "the lab",
    "the map shop",
    "the temple",
    "Memphis",
    "the pool",
    "the library",
    "the barber",
    "the campsite",
    "Bombay",
)
THINGS = (
    "the bread",
    "my phone",
    "the maps",
    "a bottle of milk",
    "the paper",
    "the tickets",
    "the puppy",
    "my backpack",
    "the pumpkin pie",
    "a blanket",
    "the plumber's number",
    "the remote",
    "some apples",
    "a lamp",
    "the mop",
    "the big box",
    "my umbrella",
    "the keys",
    "some popcorn",
    "the baby's bib",
)
TIMES = (
    "tomorrow",
    "by Monday",
    "at lunch",
    "before bedtime",
    "this morning",
    "at seven",
    "right now",
    "in a minute",
    "on Sunday",
    "after the movie",
    "by noon",
    "tonight",
)
FEELINGS = (
    "amazing",
    "terrible",
    "pretty bad",
    "brilliant",
    "impossible",
    "a bit much",
    "so much fun",
    "probably fine",
    "embarrassing",
    "bizarre",
    "perfect",
    "a problem",
)

TEMPLATES = (
    "Hey {name}, can you bring {thing} {time}?",
    "Did you put {thing} back?",
    "I'm meeting {name} at {place} {time}.",
    "Where's {thing}? I swear I put it by the door.",
    "Oh, come on, {name}! That's {feeling}!",
    "Wait, what? You lost {thing} at {place}?",
    "Maybe we should stop by {place} first.",
    "Honestly, I think it's {feeling}.",
    "Could you pass me {thing}, please?",
    "Bye, {name}! See you {time}.",
    "Wow, {place} was {feeling}!",
    "Um, I'm not sure. Maybe ask {name}?",
    "Remember to buy {thing} on the way back.",
    "Why would anybody bring {thing} to {place}?",
    "My mum called. She's at {place} with {name}.",
    "Please, please, please don't tell {name}!",
    "Right, so we meet at {place} {time}, okay?",
    "I can't believe it. {name} broke {thing} again!",
    "Mm, maybe. But {time} might be better.",
    "Hello? Is anybody at {place}?",
    "Be careful with {thing}, it's {feeling}.",
    "What's the plan? {place}, then home?",
    "Listen, {name}, I'm begging you, not {time}.",
    "Boom! Did you hear that?",
    "You're kidding me. {place}? {time}?",
    "Well, that was {feeling}, wasn't it?",
)

REPLY_SHARE = 0.25  # the rest are template lines, sometimes two joined


def dialogue_lines(count: int, seed: int) -> list[str]:
    """`count` seeded conversational lines: short replies, questions, exclamations."""
    rng = np.random.default_rng(seed)

    def choice(options: tuple[str, ...]) -> str:
        return options[int(rng.integers(len(options)))]

    def line() -> str:
        text = choice(TEMPLATES).format(
            name=choice(NAMES),
            place=choice(PLACES),
            thing=choice(THINGS),
            time=choice(TIMES),
            feeling=choice(FEELINGS),
        )
        return text[0].upper() + text[1:]

    out = []
    for _ in range(count):
        r = rng.random()
        if r < REPLY_SHARE:
            out.append(choice(REPLIES))
        elif r < REPLY_SHARE + 0.15:
            out.append(f"{choice(REPLIES)} {line()}")
        elif r < REPLY_SHARE + 0.3:
            out.append(f"{line()} {line()}")
        else:
            out.append(line())
    return out
