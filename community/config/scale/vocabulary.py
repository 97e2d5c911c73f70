"""The words seed_scale's threads are made of, and the categories they fall in.

Titles, bodies and replies never hold characters Markdown or HTML give a meaning
to (* _ ` # < > & quotes, a line starting with a digit or a dash, links, @): the
writer's cheap HTML is then exactly what render_markdown would produce.
"""

from community.config.demo.content import CATEGORIES as DEMO_CATEGORIES

# The demo's six categories and two more: existing ones are reused by slug.
EXTRA_CATEGORIES = [
    {
        "slug": "kettles-toasters",
        "name": "Kettles & toasters",
        "description": "Kettles, toasters and breakfast appliances.",
        "colour": "#8A6D1D",
        "first_response_hours": 24,
    },
    {
        "slug": "cleaning-care",
        "name": "Cleaning & care",
        "description": "Descaling, filters, spare parts and keeping appliances in shape.",
        "colour": "#3D6B6B",
        "first_response_hours": None,
    },
]
CATEGORY_SPECS = [*DEMO_CATEGORIES, *EXTRA_CATEGORIES]

# Words per category slug: what its threads are about.
PRODUCTS = {
    "coffee-machines": ["Barista 3", "Barista Pro", "Brio Duo", "Grind Master", "Aroma Filter"],
    "blenders-juicers": ["Vortex blender", "Brio Presse", "Vortex Mini", "Slow Juicer S2"],
    "orders-delivery": ["online shop order", "parcel", "gift card", "refund", "store pickup"],
    "warranty-repairs": ["Barista 3", "Vortex blender", "Kettle K2", "repair kit", "Brio Duo"],
    "app-connected-devices": ["Brio Home app", "Brio Duo", "Smart Scale", "Barista Pro"],
    "tips-recipes": ["Mousse milk frother", "Cold Brew Tower", "Vortex blender", "Aroma Filter"],
    "kettles-toasters": ["Kettle K2", "Toaster T4", "Kettle Glass", "Toaster Duo"],
    "cleaning-care": ["Barista 3", "Mousse milk frother", "Slow Juicer S2", "Kettle K2"],
}
PARTS = [
    "water tank", "drip tray", "steam wand", "grinder", "pump", "display", "power cable",
    "filter", "lid", "blade", "jug", "seal", "heating plate", "control knob", "bean hopper",
    "Wi-Fi module", "firmware", "descaling light", "carafe",
]  # fmt: skip
# Orders are not appliances: their threads draw from these instead.
ORDER_PARTS = ["tracking page", "invoice", "checkout", "delivery slot", "confirmation e-mail"]
ORDER_SYMPTOMS = [
    "has not moved in five days", "shows the wrong address", "was charged twice",
    "is stuck", "never arrived", "shows an error", "was cancelled without notice",
]  # fmt: skip
SYMPTOMS = [
    "stops after ten seconds", "keeps blinking", "leaks water", "makes a loud noise",
    "does not heat up", "will not turn on", "smells of burning", "is stuck",
    "shows the wrong time", "loses its settings", "vibrates a lot", "will not pair",
    "freezes on start", "drips all night", "is very slow", "cuts out",
]  # fmt: skip
ACTIONS = [
    "descaling", "a firmware update", "a power cut", "cleaning", "moving house",
    "changing the filter", "a reset", "the first use", "a repair", "a long holiday",
]  # fmt: skip
TASKS = [
    "reset the settings", "change the filter", "descale it", "update the firmware",
    "pair it with my phone", "adjust the grind size", "clean the blade", "change the language",
    "register the warranty", "set the timer",
]  # fmt: skip
# Uncommon words, each in few threads: search then has rare terms to find.
RARE_WORDS = [
    "limescale", "thermoblock", "gasket", "portafilter", "solenoid", "grumbling",
    "whistling", "flickering", "stuttering", "rattling", "condensation", "tripping",
    "crackling", "sputtering", "overflowing", "calcified", "warped", "corroded",
    "buzzing", "squeaking", "clogged", "frayed", "scorched", "wobbly",
]  # fmt: skip
FIRST_NAMES = [
    "Oliver", "Claire", "Sam", "Emma", "Raj", "Hannah", "Daniel", "Grace", "Julien", "Amélie",
    "Thomas", "Nadia", "Lucas", "Chloé", "Yusuf", "Ingrid", "Mateo", "Sofia", "Kenji", "Zoé",
]  # fmt: skip
LAST_NAMES = [
    "Bennett", "Dubois", "Porter", "Clarke", "Patel", "Moore", "Kim", "Moreau", "Laurent",
    "Girard", "Benali", "Fontaine", "Nakamura", "Garcia", "Larsen", "Okafor", "Rossi", "Weber",
]  # fmt: skip
# One name for each of the generator's MODERATOR_COUNT moderators.
MODERATOR_NAMES = ["Camille from Maison Brio", "Hugo from Maison Brio", "Lena from Maison Brio"]

# Nothing below may hold Markdown or HTML syntax: see the module's docstring.
TITLE_TEMPLATES = [
    "{product} shows error {code} after {action}",
    "{product} {symptom} since {action}",
    "How do I {task} on the {product}?",
    "Is it normal that the {part} of my {product} {symptom}?",
    "{product}: {part} {symptom} after {action}",
    "Error {code} on the {product}, model {model}",
    "{part} of the {product} {symptom}, {rare} or a defect?",
    "{product} {part} {rare} after {action}",
    "Help: {product} {symptom} and shows {code}",
]
QUESTION_SENTENCES = [
    "My {product} {symptom} since {action}.",
    "The display shows {code} as soon as I press the start button.",
    "I bought it in the spring and it worked well until now.",
    "I have tried switching it off at the wall for ten minutes.",
    "The {part} looks fine to me, but I am not sure what to check next.",
    "There is a {rare} sound coming from the {part}.",
    "The model number on the sticker is {model}.",
    "I followed the booklet step by step, twice.",
    "Has anyone seen this before?",
    "It happens every morning, never in the evening.",
    "I would rather not send it for repair if there is something I can do myself.",
    "I also noticed some {rare} near the {part}.",
    "Any idea what {code} means on this model?",
]
MEMBER_REPLY_SENTENCES = [
    "Same here with my {product}, it started after {action}.",
    "Try to {task} first, that fixed it for me.",
    "Check that the {part} sits properly, mine was slightly crooked.",
    "{code} usually means the {part} needs a clean.",
    "I had the {rare} noise too, it went away after a few days.",
    "Thanks, I will try that tonight.",
    "That did it, thank you all!",
    "Mine is model {model} and I never had that problem.",
    "Did you contact customer care about the {part}?",
    "Hold the power button for ten seconds, it resets everything.",
]
OFFICIAL_REPLY_SENTENCES = [
    "Hello, thank you for the clear description and sorry for the trouble.",
    "Error {code} means the {part} cannot work as expected.",
    "Please {task}, then switch the machine off and on again.",
    "If the {part} still {symptom}, we will arrange a repair under warranty.",
    "I have checked our notes for model {model} and this is a known issue.",
    "Let us know here how it goes, we keep an eye on this thread.",
    "A {rare} {part} is covered by the warranty for two years.",
]
HIDDEN_REASONS = [
    "Advertising for another shop.",
    "Personal data posted in public: please use the contact form.",
    "Off-topic and repeated several times.",
    "Rude towards other members.",
]
