"""Fill the database with a small, believable demo community and print its logins.

The demo brand is Maison Brio, a (fictional) maker of coffee machines and small
kitchen appliances; the community itself is named by settings.WAGTAIL_SITE_NAME.

Running the command again changes nothing: every row is looked up by a stable
natural key (username, category slug, thread title, page slug) and only created
when it is missing. Accounts and pages that already exist are left as they are,
so a second run never resets a password or overwrites an editor's work. What
happens inside a thread (replies, votes, "me too"s, solutions, recommendations,
edits) is played only when the thread itself is created.
"""

from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from textwrap import dedent

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone
from wagtail.rich_text import RichText

from accounts.roles import EDITORS_GROUP, MODERATORS_GROUP
from community.cache import content_changed
from community.models import (
    Announcement,
    Category,
    CommunitySettings,
    ContentPage,
    Follow,
    HelpArticlePage,
    HelpfulVote,
    HelpIndexPage,
    HomePage,
    MeToo,
    Notification,
    Reply,
    Revision,
    Thread,
)
from community.services import (
    reply_create,
    reply_edit,
    reply_set_helpful,
    reply_set_recommended,
    response_target,
    thread_accept_reply,
    thread_create,
    thread_edit,
    thread_set_me_too,
)
from moderation.models import CannedResponse, Report
from moderation.selectors import awaiting_official_reply
from moderation.services.assignment import thread_claim
from moderation.services.reports import report_create

# The demo's story is backdated: its notifications fill the bells, but e-mailing
# them now, one per event, would flood the console (or a mail server) with news
# of a past that never happened. Tasks enqueued while seeding go nowhere.
NO_BACKGROUND_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

# Public on purpose: the command prints it so that anyone can try the demo.
DEMO_PASSWORD = "relais-demo-2026"  # noqa: S105
EMAIL_DOMAIN = "maisonbrio.example"

ROLE_GROUPS = {"moderator": MODERATORS_GROUP, "editor": EDITORS_GROUP}

# "try" is what the login table suggests doing with the account; accounts
# without it are listed only as a count.
ACCOUNTS = [
    {
        "username": "admin",
        "role": "admin",
        "display_name": "Site admin",
        "bio": "Keeps the lights on.",
        "try": "superuser: /django-admin/ and /admin/",
    },
    {
        "username": "editor",
        "role": "editor",
        "display_name": "Inès from Maison Brio",
        "bio": "Content team at Maison Brio: help articles, guides and the home page.",
        "try": "Wagtail admin at /admin/: home page, help pages, categories",
    },
    {
        "username": "moderator",
        "role": "moderator",
        "display_name": "Camille from Maison Brio",
        "bio": "Customer care at Maison Brio. I answer here every weekday, in English and French.",
        "try": "official replies; recommends members' answers, marks solutions",
    },
    {
        "username": "oliver",
        "role": "member",
        "display_name": "Oliver Bennett",
        "bio": "Two espressos before nine. Bristol, UK.",
        "try": "a customer who asks in English; see the bell for notifications",
    },
    {
        "username": "claire",
        "role": "member",
        "display_name": "Claire Dubois",
        "bio": "Lyonnaise, fan de café filtre et de pâtisserie.",
        "try": "a customer who asks in French; accepted a member's answer",
    },
    {
        "username": "sam",
        "role": "member",
        "display_name": "Sam Porter",
        "bio": "Just bought my first Barista 3.",
        "try": "a new member: their first posts wait in /moderation/approvals/",
    },
    {
        "username": "emma",
        "role": "member",
        "display_name": "Emma Clarke",
        "bio": "Home barista in training. Oat milk everything.",
    },
    {
        "username": "raj",
        "role": "member",
        "display_name": "Raj Patel",
        "bio": "Smoothies after the gym, coffee before it. Leicester.",
    },
    {
        "username": "hannah",
        "role": "member",
        "display_name": "Hannah Moore",
        "bio": "Meal-prep Sundays and a blender that works hard for it.",
    },
    {
        "username": "daniel",
        "role": "member",
        "display_name": "Daniel Kim",
        "bio": "Software tester by day, so I break my appliances' apps for fun.",
    },
    {
        "username": "grace",
        "role": "member",
        "display_name": "Grace O'Neill",
        "bio": "Dublin. Cold brew in summer, flat whites the rest of the year.",
    },
    {
        "username": "julien",
        "role": "member",
        "display_name": "Julien Moreau",
        "bio": "Bricoleur du dimanche, je démonte tout ce qui fait du bruit.",
    },
    {
        "username": "amelie",
        "role": "member",
        "display_name": "Amélie Laurent",
        "bio": "Nantes. Deux enfants, un chat et beaucoup trop de café.",
    },
    {
        "username": "thomas",
        "role": "member",
        "display_name": "Thomas Girard",
        "bio": "Cuisinier amateur, adepte des soupes et des smoothies.",
    },
    {
        "username": "nadia",
        "role": "member",
        "display_name": "Nadia Benali",
        "bio": "Jus pressés à froid tous les matins, Marseille.",
    },
    {
        "username": "lucas",
        "role": "member",
        "display_name": "Lucas Fontaine",
        "bio": "Tout est connecté chez moi, même la machine à café.",
    },
]

# Descriptions in both languages: French-speaking members post in the same categories.
CATEGORIES = [
    {
        "slug": "coffee-machines",
        "name": "Coffee machines",
        "description": (
            "Espresso, bean-to-cup and filter machines: brewing, descaling, error codes. "
            "· Machines à café : préparation, détartrage, codes d'erreur."
        ),
        "colour": "#7A4B2A",
        "first_response_hours": 8,
    },
    {
        "slug": "blenders-juicers",
        "name": "Blenders & juicers",
        "description": (
            "Blenders, slow juicers and their accessories. "
            "· Blenders, extracteurs de jus et accessoires."
        ),
        "colour": "#2E7D4F",
        "first_response_hours": 12,
    },
    {
        "slug": "orders-delivery",
        "name": "Orders & delivery",
        "description": (
            "Orders from the online shop, delivery, returns and refunds. "
            "· Commandes, livraison, retours et remboursements."
        ),
        "colour": "#2F5D8A",
        "first_response_hours": 4,
    },
    {
        "slug": "warranty-repairs",
        "name": "Warranty & repairs",
        "description": (
            "What the warranty covers, repairs and spare parts. "
            "· Garantie, réparations et pièces détachées."
        ),
        "colour": "#B23A48",
        "first_response_hours": 8,
    },
    {
        "slug": "app-connected-devices",
        "name": "App & connected devices",
        "description": (
            "The Brio Home app, Wi-Fi pairing and firmware updates. "
            "· L'application Brio Home, l'appairage Wi-Fi et les mises à jour."
        ),
        "colour": "#6A4C93",
        "first_response_hours": 12,
    },
    {
        "slug": "tips-recipes",
        "name": "Tips & recipes",
        "description": (
            "Share your recipes and the tricks that make your appliances shine. "
            "· Vos recettes et astuces."
        ),
        "colour": "#B0650F",
        "first_response_hours": 24,
    },
]

# Times are relative to the moment the command runs, so the demo always looks
# recent: a thread was asked `days_ago`; everything else happened a number of
# hours after the question, and is played through the services in that order:
#
# - replies: each `after_hours`; those by "moderator" become official through
#   reply_create, as in real use. A reply may get `helpful` votes (from other
#   members, a little after it), be recommended by the moderator
#   (`recommended_after_hours`) and be `edit`ed by its author.
# - `me_too`: (member, hours) pairs; the asker already counts as the first.
# - `solution`: the reply accepted by the asker or marked by the moderator.
# - `edit`: the asker rewrites the question (the earlier text stays in history).
#
# Threads whose replies are all by members (or that have none) are the ones
# waiting in the moderation queue, some already past their category's target;
# an accepted peer answer does not take a thread out of it.
THREADS = [
    {
        "language": "en",
        "title": "Barista 3 shows error E04 right after descaling",
        "category": "coffee-machines",
        "author": "oliver",
        "tags": ["barista-3", "descaling", "error-codes"],
        "days_ago": 19.4,
        "me_too": [("grace", 2), ("daniel", 3), ("julien", 3.5), ("lucas", 20), ("hannah", 30)],
        "solution": {"reply": 1, "by": "asker", "after_hours": 6.2},
        "body": """\
            I ran the descaling programme on my Barista 3 last night, following the
            booklet step by step. Since then the display blinks `E04` as soon as I
            press the espresso button.

            What I've tried so far:

            - switching it off at the wall for ten minutes
            - refilling the tank with fresh water
            - running the rinse cycle twice

            The pump hums for a second, then stops. Any ideas?
            """,
        "replies": [
            {
                "author": "emma",
                "after_hours": 1.5,
                "helpful": ["oliver"],
                "body": """\
                    Same thing happened to me once. I had put the tank back slightly
                    crooked, so it wasn't sitting on the valve. Press it down firmly
                    until it clicks.
                    """,
            },
            {
                "author": "moderator",
                "after_hours": 4,
                "helpful": ["oliver", "raj", "grace", "daniel"],
                "body": """\
                    Hello Oliver, thank you for the clear description, and sorry for
                    the trouble. `E04` means the pump cannot draw water: after a
                    descale there is often a bubble of air left in the circuit.

                    1. Put a cup under the steam wand and open the steam knob.
                    2. Hold the hot-water button for 10 seconds, until water flows
                       steadily.
                    3. Close the knob and switch the machine off and on again.

                    If `E04` comes back, tell me here and we will arrange a repair
                    under warranty.
                    """,
            },
            {
                "author": "oliver",
                "after_hours": 6,
                "body": "That did it, first try. Thanks Camille, and thanks Emma too!",
            },
        ],
    },
    {
        "language": "en",
        "title": "Vortex blender stops after 10 seconds on the smoothie programme",
        "category": "blenders-juicers",
        "author": "hannah",
        "tags": ["vortex", "smoothies", "overheating"],
        "days_ago": 12.2,
        "me_too": [("emma", 5), ("thomas", 8), ("nadia", 12), ("oliver", 40)],
        "body": """\
            My Vortex (bought in March) stops after about 10 seconds on the
            **smoothie** programme. The light turns red, and after a few minutes
            it works again, for another 10 seconds.

            Usual recipe: a banana, a cup of frozen berries, 200 ml of oat milk.
            """,
        "replies": [
            {
                "author": "raj",
                "after_hours": 3,
                "helpful": ["hannah", "emma"],
                "body": """\
                    The red light is the overheat protection. Frozen fruit straight
                    from the freezer is hard work for the motor: try putting the
                    liquid in first and letting the fruit thaw for five minutes.
                    """,
            },
            {
                "author": "hannah",
                "after_hours": 20,
                "body": """\
                    Thanks @raj, liquid first helps a bit, but it still cuts out on
                    the second run. That can't be normal for a "smoothie" programme?
                    """,
            },
        ],
    },
    {
        "language": "en",
        "title": "Order tracking hasn't moved in five days",
        "category": "orders-delivery",
        "author": "raj",
        "tags": ["delivery", "tracking"],
        "days_ago": 3.3,
        "solution": {"reply": 0, "by": "moderator", "after_hours": 52},
        "body": """\
            I ordered a Brio Presse juicer from the online shop last week. The
            tracking page has said *"Parcel received at depot"* for five days now.
            Is there anything I can do?
            """,
        "replies": [
            {
                "author": "moderator",
                "after_hours": 2.5,
                "helpful": ["raj"],
                "body": """\
                    Hi Raj, sorry for the wait, five days is too long. I looked up your
                    order with the e-mail address on your account (no need to post
                    your order number here): the parcel was held at the carrier's
                    depot after a scanning error. It left this morning and should
                    reach you on Thursday. I'll keep an eye on it until it does.
                    """,
            },
            {
                "author": "raj",
                "after_hours": 50,
                "body": "Arrived today. Thanks for chasing it!",
            },
        ],
    },
    {
        "language": "en",
        "title": "Is the Mousse milk frother dishwasher safe?",
        "category": "coffee-machines",
        "author": "emma",
        "tags": ["milk-frother", "cleaning"],
        "days_ago": 8.1,
        "me_too": [("hannah", 4)],
        "solution": {"reply": 1, "by": "asker", "after_hours": 3},
        "body": """\
            Quick one: can the jug of the Mousse milk frother go in the
            dishwasher? The box shows a dishwasher symbol but the quick-start
            leaflet says to rinse it by hand.
            """,
        "replies": [
            {
                "author": "grace",
                "after_hours": 0.8,
                "body": "I've put mine on the top rack for a year with no problem.",
            },
            {
                "author": "daniel",
                "after_hours": 2,
                "helpful": ["emma", "grace", "oliver"],
                "body": """\
                    The jug yes, the base definitely not (it has the heating
                    element). Not sure about the whisk though, mine lost its
                    magnet after a few washes.
                    """,
                "edit": {
                    "after_hours": 2.6,
                    "body": """\
                        The jug yes, the base definitely not (it has the heating
                        element). Not sure about the whisk though, mine lost its
                        magnet after a few washes.

                        **Edit:** found the full manual online: jug on the top rack
                        only, whisk and base by hand.
                        """,
                },
            },
        ],
    },
    {
        "language": "en",
        "title": "Brio Home app can't find my Duo on a 5 GHz Wi-Fi network",
        "category": "app-connected-devices",
        "author": "daniel",
        "tags": ["brio-home-app", "wifi", "pairing", "brio-duo"],
        "days_ago": 6.4,
        "me_too": [("lucas", 1), ("raj", 5), ("hannah", 10)],
        "solution": {"reply": 0, "by": "asker", "after_hours": 26.2},
        "body": """\
            Pairing my Brio Duo with the app (Android 14, app version 3.2.1) fails
            every time at the "Looking for your machine" step:

            ```
            Error: DEVICE_NOT_FOUND (code 0x31)
            ```

            My router broadcasts a single network name on both 2.4 and 5 GHz.
            I've checked the [pairing guide](https://example.com/brio-duo/pairing)
            and Bluetooth is on.
            """,
        "replies": [
            {
                "author": "oliver",
                "after_hours": 2,
                "helpful": ["daniel", "lucas"],
                "recommended_after_hours": 3.6,
                "body": """\
                    I think the machines only speak 2.4 GHz. With one name for both
                    bands, the phone may hand over the 5 GHz details.
                    """,
            },
            {
                "author": "moderator",
                "after_hours": 3.5,
                "helpful": ["raj", "lucas", "daniel"],
                "body": """\
                    Oliver is right, thank you! The Duo's Wi-Fi module works on
                    2.4 GHz only. Two ways round it:

                    - in your router settings, give the 2.4 GHz band its own name
                      for the time of the pairing, or
                    - switch the phone to mobile data, start the pairing, and pick
                      the network by hand when the app asks.

                    We're adding a clear message for `0x31` in the next app update.
                    """,
            },
            {
                "author": "daniel",
                "after_hours": 26,
                "body": "Separate name for 2.4 GHz worked. Paired in a minute, thanks.",
            },
        ],
    },
    {
        "language": "en",
        "title": "How long does a warranty repair usually take?",
        "category": "warranty-repairs",
        "author": "grace",
        "tags": ["warranty", "repair"],
        "days_ago": 1.5,
        "me_too": [("emma", 10)],
        "body": """\
            My Barista 3 leaks from under the group head and I'm about to send it
            in under warranty. Before I do: roughly how long will I be without
            it, and do you lend a machine in the meantime?
            """,
        "replies": [],
    },
    {
        "language": "en",
        "title": "My iced latte recipe for the Barista 3",
        "category": "tips-recipes",
        "author": "grace",
        "tags": ["recipes", "iced-coffee", "barista-3"],
        "days_ago": 15.6,
        "body": """\
            Summer is coming, so here is my go-to:

            1. Pull a double shot straight onto 2 tsp of brown sugar, stir.
            2. Fill a tall glass with ice and 150 ml of cold milk.
            3. Pour the espresso over the milk, slowly.

            Frothing the cold milk on the *cold foam* setting first makes it extra nice.
            """,
        "edit": {
            "after_hours": 7,
            "body": """\
                Summer is coming, so here is my go-to:

                1. Pull a double shot straight onto 2 tsp of brown sugar, stir.
                2. Fill a tall glass with ice and 150 ml of cold milk (oat milk
                   works just as well, see Oliver's reply).
                3. Pour the espresso over the milk, slowly.

                Frothing the cold milk on the *cold foam* setting first makes it extra nice.
                """,
        },
        "replies": [
            {
                "author": "oliver",
                "after_hours": 5,
                "helpful": ["emma"],
                "body": "Tried it with oat milk this morning. Dangerously good.",
            },
            {
                "author": "moderator",
                "after_hours": 9,
                "body": """\
                    Thank you for sharing this, Grace! Our team tried it in the
                    office kitchen and it's now pinned on the fridge.
                    """,
            },
        ],
    },
    {
        "language": "fr",
        "title": "Ma Barista 3 affiche « Détartrer » en permanence",
        "category": "coffee-machines",
        "author": "claire",
        "tags": ["detartrage", "barista-3"],
        "days_ago": 17.3,
        "me_too": [("amelie", 1), ("thomas", 3), ("lucas", 4)],
        "solution": {"reply": 0, "by": "asker", "after_hours": 7.1},
        "body": """\
            Bonjour à tous,

            J'ai fait un détartrage complet il y a trois jours, mais le voyant
            **Détartrer** reste allumé. J'ai utilisé le détartrant de la marque et
            suivi la notice. Est-ce que j'ai raté une étape ?
            """,
        "replies": [
            {
                "author": "julien",
                "after_hours": 2,
                "helpful": ["claire", "amelie", "thomas"],
                "recommended_after_hours": 5.1,
                "body": """\
                    Chez moi il fallait maintenir le bouton « 2 tasses » pendant
                    5 secondes pour remettre le compteur à zéro.
                    """,
            },
            {
                "author": "moderator",
                "after_hours": 5,
                "helpful": ["claire", "nadia"],
                "body": """\
                    Bonjour Claire, merci pour votre message. Julien a raison : le
                    compteur se remet à zéro seulement à la fin du cycle complet. Si
                    le cycle a été interrompu, faites ceci :

                    1. Machine allumée, maintenez « 2 tasses » 5 secondes.
                    2. Le voyant clignote trois fois puis s'éteint.

                    S'il reste allumé, dites-le-moi ici et nous chercherons ensemble.
                    """,
            },
            {
                "author": "claire",
                "after_hours": 7,
                "body": "Ça marche, merci Camille et Julien !",
            },
        ],
    },
    {
        "language": "fr",
        "title": "Le blender Vortex fait un bruit de grincement",
        "category": "blenders-juicers",
        "author": "thomas",
        "tags": ["vortex", "bruit"],
        "days_ago": 9.2,
        "me_too": [("nadia", 8.1), ("julien", 12), ("amelie", 40)],
        "body": """\
            Depuis une semaine mon Vortex grince fort au démarrage, surtout à
            vitesse 1. Il mixe toujours correctement. Le bol a environ un an.
            """,
        "replies": [
            {
                "author": "lucas",
                "after_hours": 4,
                "helpful": ["nadia"],
                "body": """\
                    Vérifie le joint sous les lames : s'il est sec ou mal placé, ça
                    grince. Un peu d'huile alimentaire peut aider.
                    """,
            },
            {
                "author": "nadia",
                "after_hours": 8,
                "body": "J'ai le même souci depuis peu, je suis la discussion.",
            },
            {
                "author": "thomas",
                "after_hours": 30,
                "body": """\
                    Merci @lucas : joint vérifié et remis en place, mais le bruit est
                    toujours là. Est-ce que l'ensemble lames se commande comme pièce
                    détachée ?
                    """,
            },
        ],
    },
    {
        "language": "fr",
        "title": "Colis livré endommagé : comment faire un retour ?",
        "category": "orders-delivery",
        "author": "amelie",
        "tags": ["livraison", "retour"],
        "days_ago": 5.1,
        "me_too": [("nadia", 3)],
        "body": """\
            Mon extracteur Presse est arrivé avec le carton écrasé et le couvercle
            fendu. Je n'ai rien trouvé sur la procédure de retour dans l'e-mail de
            confirmation.
            """,
        "replies": [
            {
                "author": "moderator",
                "after_hours": 1.5,
                "helpful": ["amelie", "claire"],
                "body": """\
                    Bonjour Amélie, désolée pour ce mauvais départ ! Voici la marche
                    à suivre :

                    - prenez deux ou trois photos du carton et du couvercle ;
                    - remplissez le [formulaire de retour](https://example.com/retours)
                      avec votre numéro de commande (inutile de le publier ici) ;
                    - nous vous envoyons une étiquette prépayée et un appareil neuf
                      part dès réception des photos.
                    """,
            },
            {
                "author": "amelie",
                "after_hours": 6,
                "body": "Merci Camille, c'est fait. Réponse très rapide !",
            },
        ],
    },
    {
        "language": "fr",
        "title": "Extracteur de jus Presse : la pulpe passe dans le jus",
        "category": "blenders-juicers",
        "author": "nadia",
        "tags": ["presse", "extracteur"],
        "days_ago": 20.5,
        "me_too": [("thomas", 4), ("amelie", 5)],
        "solution": {"reply": 0, "by": "moderator", "after_hours": 30},
        "body": """\
            Avec mon extracteur Presse, j'ai beaucoup de pulpe dans le jus de
            carottes et de pommes. Y a-t-il un réglage pour un jus plus lisse ?
            """,
        "replies": [
            {
                "author": "lucas",
                "after_hours": 1,
                "helpful": ["nadia", "claire", "thomas"],
                "body": "Tu utilises bien le tamis fin (celui avec les petits trous) ?",
            },
            {
                "author": "claire",
                "after_hours": 3,
                "helpful": ["nadia"],
                "recommended_after_hours": 6.1,
                "body": "Et couper les pommes en quartiers aide aussi, chez moi.",
            },
            {
                "author": "moderator",
                "after_hours": 6,
                "helpful": ["nadia", "thomas"],
                "body": """\
                    Bonjour Nadia, merci Lucas et Claire pour vos conseils ! Pour un
                    jus lisse : tamis fin, levier sur `FIN`, et alternez fruits durs
                    et fruits tendres. Le tamis large sert aux smoothies et sorbets.
                    """,
            },
            {
                "author": "nadia",
                "after_hours": 24,
                "body": "J'étais sur le tamis large depuis le début… Merci à tous !",
            },
            {
                "author": "lucas",
                "after_hours": 26,
                "body": "Ça arrive à tout le monde 😄",
            },
        ],
    },
    {
        "language": "fr",
        "title": "Garantie : j'ai perdu ma facture, suis-je couvert ?",
        "category": "warranty-repairs",
        "author": "julien",
        "tags": ["garantie", "facture"],
        "days_ago": 2.1,
        "me_too": [("amelie", 20)],
        "body": """\
            Ma machine Filtre 12 ne chauffe plus, elle a un an et demi. J'ai perdu
            la facture (achat en magasin). La garantie s'applique-t-elle quand même ?
            """,
        "replies": [
            {
                "author": "thomas",
                "after_hours": 6,
                "helpful": ["julien"],
                "body": """\
                    Il me semble que le numéro de série suffit pour dater l'appareil,
                    mais j'attendrais la confirmation de l'équipe.
                    """,
            },
        ],
    },
    {
        "language": "fr",
        "title": "Application Brio Home : les notifications de détartrage n'arrivent plus",
        "category": "app-connected-devices",
        "author": "lucas",
        "tags": ["brio-home-app", "notifications", "android"],
        "days_ago": 0.4,
        "me_too": [("daniel", 2), ("nadia", 5), ("claire", 7)],
        "body": """\
            Depuis la mise à jour 3.2 de l'application, je ne reçois plus les
            rappels de détartrage. Les notifications sont autorisées dans les
            réglages d'Android. Quelqu'un d'autre a le problème ?
            """,
        "replies": [],
    },
    {
        "language": "fr",
        "title": "Recette : cold brew maison avec la Filtre 12",
        "category": "tips-recipes",
        "author": "amelie",
        "tags": ["recettes", "cold-brew", "filtre-12"],
        "days_ago": 13.7,
        "body": """\
            Pour ceux qui veulent du café froid sans acheter d'appareil :

            - 80 g de café moulu gros dans la verseuse de la Filtre 12 ;
            - 1 litre d'eau froide, on mélange ;
            - 14 h au réfrigérateur, puis on filtre avec un filtre papier.

            Se garde une semaine au frais.
            """,
        "replies": [
            {
                "author": "claire",
                "after_hours": 10,
                "body": "Je ne savais pas qu'on pouvait utiliser la verseuse comme ça !",
            },
            {
                "author": "julien",
                "after_hours": 22,
                "helpful": ["amelie"],
                "body": "Testé avec un café éthiopien, excellent.",
                "edit": {
                    "after_hours": 23,
                    "body": "Testé avec un café éthiopien moulu gros, 16 h au frais : excellent.",
                },
            },
            {
                "author": "moderator",
                "after_hours": 27,
                "helpful": ["claire"],
                "body": """\
                    Merci Amélie pour cette recette ! Petite précision : la verseuse
                    en verre supporte très bien le froid, évitez seulement de la
                    remettre sur la plaque chauffante juste après le réfrigérateur.
                    """,
            },
        ],
    },
]

HOME_HERO_TEXT = "How can we help you today?"
# Threads the editors put forward on the home page, by title.
HOME_FEATURED_TITLES = [
    "Barista 3 shows error E04 right after descaling",
    "Brio Home app can't find my Duo on a 5 GHz Wi-Fi network",
    "My iced latte recipe for the Barista 3",
]
HOME_CALL_TO_ACTION = {
    "heading": "Didn't find your answer?",
    "text": "Describe your problem: other owners and our customer care team answer "
    "here, and the team replies officially to every question.",
    "button_label": "",
}
# (title, body, link, days from now it started, days from now it ends or None)
ANNOUNCEMENTS = [
    (
        "Barista 3 firmware 2.4 fixes the E04 error after descaling",
        "<p>The update installs itself overnight when the machine is on Wi-Fi. "
        "If your machine still shows E04, tell us in the Coffee machines category.</p>",
        "",
        -2,
        None,
    ),
    (
        "Customer care hours over the holidays",
        "<p>From 24 December to 2 January the team answers weekdays from 9:00 to "
        "17:00. Official replies in the community keep their usual targets.</p>",
        "",
        -1,
        45,
    ),
    (
        "Spring sale on Vortex blenders",
        "<p>This announcement ended: it shows how past announcements stay in the admin.</p>",
        "",
        -60,
        -30,
    ),
]
HOME_INTRO = (
    "<p>Ask a question, share a tip or follow up on a repair. Other owners and our "
    "customer care team answer here, in public, and every question gets an official "
    'reply from the team. New here? Start with the <a linktype="page" id="{help_id}">'
    "help centre</a>.</p>"
)

# The help centre (below) links to the guidelines by page id, a link that survives
# a change of slug.
CONTENT_PAGES = [
    {
        "slug": "guidelines",
        "title": "Community guidelines",
        "intro": "A few simple rules that keep {site_name} friendly and useful for everyone.",
        "body": """\
            <h2>Be kind</h2>
            <p>Everyone here was a beginner once. Thank people who help you, assume
            good intent, and disagree with ideas, never with people.</p>
            <h2>Stay on topic</h2>
            <p>Keep each thread about one problem, in the category that fits it.
            Search before you ask: someone may already have solved it.</p>
            <h2>Keep personal data private</h2>
            <p>Never post your address, phone number, order or serial number in
            public. When our team needs them, they will ask you through a private
            channel.</p>
            <h2>How moderation works</h2>
            <p>Moderators can hide, move, lock or merge threads. Hidden posts are
            kept, never deleted, and every moderation action is logged, so it can be
            reviewed and undone. If you see a post that breaks these rules, report it
            rather than replying to it.</p>
            """,
    },
]


# The help centre: an index at /help/ and a few articles whose categories and tags
# match the demo threads, so thread pages suggest them.
HELP_INDEX = {
    "slug": "help",
    # An earlier demo made /help/ an ordinary page; the help centre then lives here.
    "fallback_slug": "help-centre",
    "title": "Help centre",
    "intro": (
        "<p>Answers from the {site_name} team to the questions owners ask most. Before "
        'you post, please read our <a linktype="page" id="{guidelines_id}">community '
        "guidelines</a>.</p>"
    ),
}

HELP_ARTICLES = [
    {
        "slug": "descaling-barista-3",
        "title": "Descaling your Barista 3",
        "summary": "When the descale light comes on, how to run the cycle, and what to do "
        "if the pump stays noisy afterwards.",
        "categories": ["coffee-machines"],
        "tags": ["barista-3", "descaling", "detartrage"],
        "body": [
            (
                "paragraph",
                "<p>Scale builds up faster with hard water. The Barista 3 "
                "lights the <b>descale</b> button when it is time, about every two months.</p>",
            ),
            ("heading", "Run the descaling cycle"),
            (
                "steps",
                [
                    "Empty the drip tray and the water tank.",
                    "Pour one sachet of Brio descaler into the tank and fill it to the MAX line.",
                    "Put a large bowl under the group head and the steam wand.",
                    "Hold the descale button for three seconds: the cycle takes about 25 minutes.",
                    "Rinse the tank, fill it with fresh water and run the rinse cycle.",
                ],
            ),
            (
                "callout",
                {
                    "kind": "tip",
                    "text": "<p>Noisy pump after descaling? Open the steam knob and hold the "
                    "hot-water button for 10 seconds to let the air out.</p>",
                },
            ),
            (
                "callout",
                {
                    "kind": "warning",
                    "text": "<p>Never use vinegar: it damages the "
                    "seals and is not covered by the warranty.</p>",
                },
            ),
        ],
    },
    {
        "slug": "coffee-machine-error-codes",
        "title": "Error codes on coffee machines",
        "summary": "What E01 to E08 on the display mean and which ones you can fix yourself.",
        "categories": ["coffee-machines"],
        "tags": ["error-codes", "barista-3"],
        "body": [
            (
                "paragraph",
                "<p>An error code stops the machine to protect it. Most clear "
                "after a restart once the cause is fixed.</p>",
            ),
            ("heading", "The common codes"),
            (
                "steps",
                [
                    "E01: the water tank is empty or badly seated. Refill it and push it "
                    "in firmly.",
                    "E02: the drip tray is full or missing.",
                    "E04: the pump cannot prime, often after descaling. Let the air out "
                    "through the steam wand.",
                    "E06: the heating unit is too hot. Switch off for 30 minutes.",
                    "E08: an internal fault. Note the code and contact us for a repair.",
                ],
            ),
            (
                "callout",
                {
                    "kind": "note",
                    "text": "<p>A code that comes back after a restart "
                    "needs our team: ask in the community with the code and your model.</p>",
                },
            ),
        ],
    },
    {
        "slug": "warranty-and-repairs",
        "title": "Warranty and repairs",
        "summary": "What the two-year warranty covers, how to book a repair, and what to do "
        "without your invoice.",
        "categories": ["warranty-repairs"],
        "tags": ["warranty", "repair", "garantie", "facture"],
        "body": [
            (
                "paragraph",
                "<p>Every Maison Brio appliance has a <b>two-year warranty</b> "
                "from the date of purchase, covering parts and labour.</p>",
            ),
            ("heading", "Book a repair"),
            (
                "steps",
                [
                    "Sign in to your account and open the Repairs section.",
                    "Enter the serial number from the sticker under the appliance.",
                    "Choose a drop-off point or a courier pick-up.",
                ],
            ),
            (
                "callout",
                {
                    "kind": "tip",
                    "text": "<p>Lost the invoice? The serial number "
                    "dates your appliance, so the warranty still applies.</p>",
                },
            ),
        ],
    },
    {
        "slug": "connecting-brio-home-app",
        "title": "Connecting the Brio Home app",
        "summary": "Pair a connected appliance with the Brio Home app over Wi-Fi, and fix "
        "the usual pairing problems.",
        "categories": ["app-connected-devices"],
        "tags": ["brio-home-app", "wifi", "pairing"],
        "body": [
            ("heading", "Pair your appliance"),
            (
                "steps",
                [
                    "Install Brio Home from your phone's app store and sign in.",
                    "Hold the appliance's Wi-Fi button until its light blinks blue.",
                    "In the app, tap Add an appliance and follow the steps.",
                ],
            ),
            (
                "callout",
                {
                    "kind": "note",
                    "text": "<p>Appliances connect to 2.4 GHz Wi-Fi "
                    "only. If your router merges 2.4 and 5 GHz under one name, give the 2.4 GHz "
                    "band its own name while pairing.</p>",
                },
            ),
            (
                "paragraph",
                "<p>Still not connecting? Restart the router and the appliance, "
                "then try again within two minutes.</p>",
            ),
        ],
    },
    {
        "slug": "cleaning-your-blender",
        "title": "Cleaning your blender",
        "summary": "A quick clean after each use and a deeper clean each week keep the "
        "blade and the motor healthy.",
        "categories": ["blenders-juicers"],
        "tags": ["vortex", "cleaning"],
        "body": [
            ("heading", "After each use"),
            (
                "steps",
                [
                    "Fill the jug halfway with warm water and a drop of washing-up liquid.",
                    "Run the blender for 30 seconds on the pulse setting.",
                    "Rinse the jug and let it dry upside down.",
                ],
            ),
            (
                "callout",
                {
                    "kind": "warning",
                    "text": "<p>Never put the motor base in "
                    "water, and unplug it before wiping it.</p>",
                },
            ),
            (
                "paragraph",
                "<p>If the motor smells hot or stops during use, let it cool "
                "for 20 minutes: the overheating protection resets on its own.</p>",
            ),
        ],
    },
]


# What the moderation pages show on a fresh demo: prepared answers editors keep in
# the Wagtail admin, a new member's posts awaiting approval, open reports on a
# reply that reads like an advert, and one overdue thread claimed by the moderator.
CANNED_RESPONSES = [
    {
        "title": "Thanks, we are looking into it",
        "category": None,
        "body": """\
            Hello {asker}, thank you for taking the time to describe this so clearly,
            and sorry for the trouble. I am looking into “{thread_title}” with our
            {category} specialists and will come back to you here.

            {staff_name}, Maison Brio customer care
            """,
    },
    {
        "title": "We need your serial number",
        "category": None,
        "body": """\
            Hello {asker}, to check this for you I need the serial number of your
            appliance: it is on the sticker under the water tank (12 characters,
            starting with MB). You can send it in a private message to the team;
            please do not post it here.

            {staff_name}
            """,
    },
    {
        "title": "Warranty without an invoice",
        "category": "warranty-repairs",
        "body": """\
            Hello {asker}, good news: the serial number dates your appliance, so
            the two-year warranty applies even without the invoice. Book the
            repair from your account page, section “Repairs”, and mention this
            thread.

            {staff_name}, Maison Brio customer care
            """,
    },
    {
        "title": "Descaling: clear the air from the pump",
        "category": "coffee-machines",
        "body": """\
            Hello {asker}, after a descaling cycle a bubble of air often stays in
            the circuit. Put a cup under the steam wand, open the knob and hold the
            hot-water button for 10 seconds until the water flows steadily, then
            restart the machine.

            {staff_name}
            """,
    },
]

NEW_MEMBER_THREAD = {
    "title": "Barista 3 milk frother only makes big bubbles",
    "category": "coffee-machines",
    "tags": ["barista-3", "milk"],
    "body": """\
        First week with my Barista 3. The espresso is great, but the steam wand
        only gives me big bubbles, never the fine foam from the videos. I use
        cold semi-skimmed milk. What am I doing wrong?
        """,
}

SPAM_REPLY = {
    "thread": "Recette : cold brew maison avec la Filtre 12",
    "author": "nadia",
    "body": """\
        Super recette ! Pour un café encore meilleur, commandez nos grains sur
        https://cafe-discount.example et https://cafe-discount.example/promo
        avec le code BRIO50 : -50 % aujourd'hui seulement.
        """,
    "reports": [
        ("claire", "spam", "Publicité pour un autre site."),
        ("amelie", "spam", ""),
    ],
}


def _text(source: str) -> str:
    # The constants are indented to read well in this file; Markdown would take
    # that indentation for code blocks.
    return dedent(source).strip()


class Command(BaseCommand):
    help = "Create a demo community (accounts, categories, threads, pages). Safe to run twice."

    def handle(self, *args, **options):
        # All or nothing: a half-built demo would make the next run skip what is missing.
        # The e-mails are enqueued when the transaction commits, so inside the override.
        with override_settings(TASKS=NO_BACKGROUND_TASKS), transaction.atomic():
            home = HomePage.objects.first()
            if home is None:
                raise CommandError("No home page: run `manage.py migrate` first.")
            accounts, created_usernames = _ensure_accounts()
            categories_created = _ensure_categories()
            now = timezone.now()
            with _established_members():
                story = _ensure_threads(accounts, now=now)
                story += _ensure_spam_reply(accounts, now=now)
            story += _ensure_moderation_demo(accounts, now=now)
            announcements = _ensure_announcements(now=now)
            pages_written = _ensure_pages(home)
            footer_items = _ensure_site_footer()
        # Written outside a request: cached pages must not keep showing the old content.
        content_changed()
        # The index tasks enqueued while seeding went nowhere (see NO_BACKGROUND_TASKS):
        # the search index is rebuilt from the rows instead.
        call_command("update_index", verbosity=0)

        # Reported after the commit, so a closed output pipe cannot undo the work.
        if options["verbosity"] >= 1:
            self._report(
                {
                    "accounts created": len(created_usernames),
                    "categories created": categories_created,
                    "threads created": story["threads"],
                    "replies created": story["replies"],
                    "solutions accepted": story["solutions"],
                    "replies recommended": story["recommendations"],
                    "helpful votes": story["helpful_votes"],
                    "me toos": story["me_toos"],
                    "posts edited": story["edits"],
                    "canned responses": story["canned_responses"],
                    "posts awaiting approval": story["pending_posts"],
                    "reports": story["reports"],
                    "threads claimed": story["claims"],
                    "announcements": announcements,
                    "pages written": pages_written,
                    "footer links and contacts": footer_items,
                },
                existing_accounts=len(ACCOUNTS) - len(created_usernames),
            )

    def _report(self, created: dict[str, int], *, existing_accounts: int):
        if any(created.values()):
            summary = ", ".join(f"{name}: {n}" for name, n in created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo community ready ({summary})."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo community already in place."))

        rows = [("role", "username", "password", "try")]
        rows += [
            (spec["role"], spec["username"], DEMO_PASSWORD, spec["try"])
            for spec in ACCOUNTS
            if "try" in spec
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        self.stdout.write("")
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
            self.stdout.write("  ".join([*cells, row[3]]))
        others = sum(1 for spec in ACCOUNTS if "try" not in spec)
        self.stdout.write(f"... and {others} more members with the same password.")
        if existing_accounts:
            # An account made before the demo (say, by createsuperuser) keeps its own password.
            self.stdout.write("Accounts that existed before this run were left unchanged.")


def _ensure_accounts():
    """Return the demo accounts by username, and the usernames created by this run."""
    User = get_user_model()
    # One hash for all: hashing is slow on purpose, and the password is public anyway.
    password_hash = make_password(DEMO_PASSWORD)
    groups = {role: Group.objects.get(name=name) for role, name in ROLE_GROUPS.items()}
    accounts, created_usernames = {}, []
    for spec in ACCOUNTS:
        email = f"{spec['username']}@{EMAIL_DOMAIN}"
        is_admin = spec["role"] == "admin"
        user, created = User.objects.get_or_create(
            username=spec["username"],
            defaults={
                "email": email,
                "password": password_hash,
                "display_name": spec["display_name"],
                "bio": spec["bio"],
                "is_staff": is_admin,
                "is_superuser": is_admin,
            },
        )
        if created:
            # allauth lets only verified addresses log in (ACCOUNT_EMAIL_VERIFICATION).
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            if spec["role"] in groups:
                user.groups.add(groups[spec["role"]])
            created_usernames.append(user.username)
        accounts[user.username] = user
    # Fetched again so that no permission cache from before the group changes
    # decides whether the moderator's replies are official.
    return User.objects.in_bulk(accounts, field_name="username"), created_usernames


def _ensure_categories() -> int:
    created_count = 0
    for position, spec in enumerate(CATEGORIES):
        _, created = Category.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "description": spec["description"],
                "colour": spec["colour"],
                "position": position,
                "first_response_hours": spec["first_response_hours"],
            },
        )
        created_count += created
    return created_count


def _ensure_threads(accounts, *, now) -> Counter:
    """Post the threads that are missing, each with its whole story; count what was done.

    A thread that already exists is skipped with everything that happens in it,
    so a second run adds no reply, vote or notification.
    """
    categories = Category.objects.in_bulk({spec["category"] for spec in THREADS}, field_name="slug")
    existing = set(
        Thread.objects.filter(title__in=[spec["title"] for spec in THREADS]).values_list(
            "title", flat=True
        )
    )
    story = Counter()
    for spec in THREADS:
        if spec["title"] in existing:
            continue
        story += _create_thread(
            spec, accounts=accounts, category=categories[spec["category"]], now=now
        )
        story["threads"] += 1
    return story


# Helpful votes on a reply come one after another, this many hours apart.
HELPFUL_VOTE_GAP_HOURS = 0.75

# Rows the services add along the way (the asker's "me too", follows, votes,
# earlier texts, notifications), each with a created_at of "now".
SIDE_ROWS = (MeToo, Follow, HelpfulVote, Revision, Notification)


class _Backdater:
    """Moves the rows added since the last call back to the moment of the act."""

    def __init__(self):
        self._last_pks = {model: self._last_pk(model) for model in SIDE_ROWS}

    @staticmethod
    def _last_pk(model) -> int:
        return model.objects.aggregate(last=Max("pk"))["last"] or 0

    def stamp(self, at) -> None:
        for model, last_pk in self._last_pks.items():
            if model.objects.filter(pk__gt=last_pk).update(created_at=at):
                self._last_pks[model] = self._last_pk(model)


def _events(spec) -> list[tuple[float, str, object]]:
    """What happens after the question, as (hours after it, action, detail), in order."""
    events = []
    for index, reply in enumerate(spec["replies"]):
        hours = reply["after_hours"]
        events.append((hours, "reply", index))
        for rank, username in enumerate(reply.get("helpful", ()), start=1):
            events.append((hours + rank * HELPFUL_VOTE_GAP_HOURS, "helpful", (index, username)))
        if "recommended_after_hours" in reply:
            events.append((reply["recommended_after_hours"], "recommend", index))
        if "edit" in reply:
            events.append((reply["edit"]["after_hours"], "edit_reply", index))
    events += [(hours, "me_too", username) for username, hours in spec.get("me_too", ())]
    if "edit" in spec:
        events.append((spec["edit"]["after_hours"], "edit_thread", None))
    if "solution" in spec:
        events.append((spec["solution"]["after_hours"], "accept", spec["solution"]))
    # A stable sort: at equal times, the order above holds (a reply before its votes).
    return sorted(events, key=lambda event: event[0])


def _create_thread(spec, *, accounts, category, now) -> Counter:
    """Play a thread's story through the services, then move each act back in time.

    The services stamp "now" and send their notifications as a member's acts
    would; the demo needs a past that reads like a real one, so every row an
    act wrote is dated to the moment the act happened in the story.
    """
    asked_at = now - timedelta(days=spec["days_ago"])
    asker, moderator = accounts[spec["author"]], accounts["moderator"]
    backdater = _Backdater()
    thread = thread_create(
        author=asker,
        category=category,
        title=spec["title"],
        body=_text(spec["body"]),
        tags=spec["tags"],
        check_limits=False,
    )
    backdater.stamp(asked_at)

    replies: dict[int, Reply] = {}
    thread_dates = {"last_activity_at": asked_at, "first_official_reply_at": None}
    done = Counter()
    for hours, action, detail in _events(spec):
        at = asked_at + timedelta(hours=hours)
        if action == "reply":
            reply_spec = spec["replies"][detail]
            reply = reply_create(
                author=accounts[reply_spec["author"]],
                thread=thread,
                body=_text(reply_spec["body"]),
                check_limits=False,
            )
            Reply.objects.filter(pk=reply.pk).update(created_at=at, updated_at=at)
            replies[detail] = reply
            thread_dates["last_activity_at"] = at
            if reply.is_official and thread_dates["first_official_reply_at"] is None:
                thread_dates["first_official_reply_at"] = at
            done["replies"] += 1
        elif action == "helpful":
            index, username = detail
            reply_set_helpful(user=accounts[username], reply=replies[index], helpful=True)
            done["helpful_votes"] += 1
        elif action == "recommend":
            reply_set_recommended(moderator=moderator, reply=replies[detail], recommended=True)
            Reply.objects.filter(pk=replies[detail].pk).update(recommended_at=at, updated_at=at)
            done["recommendations"] += 1
        elif action == "edit_reply":
            reply = replies[detail]
            new_body = _text(spec["replies"][detail]["edit"]["body"])
            reply_edit(editor=reply.author, reply=reply, body=new_body)
            Reply.objects.filter(pk=reply.pk).update(edited_at=at, updated_at=at)
            done["edits"] += 1
        elif action == "me_too":
            thread_set_me_too(user=accounts[detail], thread=thread, me_too=True)
            done["me_toos"] += 1
        elif action == "edit_thread":
            thread_edit(
                editor=asker, thread=thread, title=thread.title, body=_text(spec["edit"]["body"])
            )
            thread_dates["edited_at"] = at
            done["edits"] += 1
        elif action == "accept":
            marked_by = asker if detail["by"] == "asker" else moderator
            thread_accept_reply(user=marked_by, thread=thread, reply=replies[detail["reply"]])
            thread_dates["solved_at"] = at
            done["solutions"] += 1
        backdater.stamp(at)

    # The question's own row was last changed by its latest edit or solution.
    changes = [thread_dates.get("edited_at"), thread_dates.get("solved_at")]
    Thread.objects.filter(pk=thread.pk).update(
        created_at=asked_at,
        published_at=asked_at,
        updated_at=max([asked_at, *filter(None, changes)]),
        response_due_at=asked_at + response_target(thread.category),
        **thread_dates,
    )
    return done


def _ensure_pages(home: HomePage) -> int:
    """Create the guidelines and the help centre if missing, and fill in the home page
    if no one has yet."""
    site_name = settings.WAGTAIL_SITE_NAME
    pages, written = {}, 0
    for spec in CONTENT_PAGES:
        page = home.get_children().filter(slug=spec["slug"]).first()
        if page is None:
            page = ContentPage(
                title=spec["title"],
                slug=spec["slug"],
                intro=spec["intro"].format(site_name=site_name),
                body=_text(spec["body"]).format(**{f"{s}_id": p.pk for s, p in pages.items()}),
            )
            home.add_child(instance=page)
            page.save_revision().publish()
            written += 1
        pages[spec["slug"]] = page
    help_index, help_written = _ensure_help_centre(home, guidelines=pages["guidelines"])
    pages["help"] = help_index
    written += help_written
    # A revision means an editor (or an earlier run) has written the home page: keep it.
    if home.latest_revision_id is None:
        home.body = _home_body(help_id=pages["help"].pk)
        home.save_revision().publish()
        written += 1
    return written


def _home_body(*, help_id: int) -> list:
    by_title = {
        thread.title: thread for thread in Thread.objects.filter(title__in=HOME_FEATURED_TITLES)
    }
    featured = [by_title[title] for title in HOME_FEATURED_TITLES if title in by_title]
    return [
        (
            "hero",
            {
                "heading": HOME_HERO_TEXT,
                "text": RichText(HOME_INTRO.format(help_id=help_id)),
                "show_search": True,
            },
        ),
        ("announcements", {"heading": "", "count": 2}),
        ("category_grid", {"heading": "", "show_counts": True}),
        ("featured_threads", {"heading": "", "threads": featured}),
        ("latest_threads", {"heading": "", "show": "solved", "count": 4}),
        ("latest_threads", {"heading": "", "show": "active", "count": 6}),
        ("call_to_action", HOME_CALL_TO_ACTION),
    ]


def _ensure_announcements(*, now) -> int:
    written = 0
    for title, body, link, starts_in, ends_in in ANNOUNCEMENTS:
        if Announcement.objects.filter(title=title).exists():
            continue
        announcement = Announcement.objects.create(
            title=title,
            body=body,
            link_url=link,
            starts_at=now + timedelta(days=starts_in),
            ends_at=now + timedelta(days=ends_in) if ends_in is not None else None,
        )
        announcement.save_revision()
        written += 1
    return written


def _ensure_help_centre(home: HomePage, *, guidelines) -> tuple[HelpIndexPage, int]:
    """The help index and its articles, each created only if missing."""
    written = 0
    index = None
    for slug in (HELP_INDEX["slug"], HELP_INDEX["fallback_slug"]):
        page = home.get_children().filter(slug=slug).specific().first()
        if page is None or isinstance(page, HelpIndexPage):
            index = page
            break
    if index is None:
        index = HelpIndexPage(
            title=HELP_INDEX["title"],
            slug=slug,
            intro=HELP_INDEX["intro"].format(
                site_name=settings.WAGTAIL_SITE_NAME, guidelines_id=guidelines.pk
            ),
        )
        home.add_child(instance=index)
        index.save_revision().publish()
        written += 1
    categories = Category.objects.in_bulk(field_name="slug")
    for spec in HELP_ARTICLES:
        if index.get_children().filter(slug=spec["slug"]).exists():
            continue
        article = HelpArticlePage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            body=_stream(spec["body"]),
        )
        article.related_categories = [categories[slug] for slug in spec["categories"]]
        article.tags.add(*spec["tags"])
        index.add_child(instance=article)
        article.save_revision().publish()
        written += 1
    return index, written


def _stream(blocks) -> list[dict]:
    """StreamField data from (block type, value) pairs."""
    return [{"type": kind, "value": value} for kind, value in blocks]


SITE_FOOTER_LINKS = [
    {"label": "Maison Brio shop", "url": f"https://{EMAIL_DOMAIN}/shop"},
    {"label": "Warranty and repairs", "url": f"https://{EMAIL_DOMAIN}/warranty"},
]
SITE_CONTACT_CHANNELS = [
    {"kind": "email", "label": "Customer care", "value": f"care@{EMAIL_DOMAIN}"},
    # 01 99 00 xx xx: a range French regulators keep for fiction.
    {"kind": "phone", "label": "Phone, weekdays 9:00-18:00", "value": "+33 1 99 00 12 34"},
]


def _ensure_site_footer() -> int:
    """Maison Brio's footer links and contact channels, only where editors have set
    none. The community name stays blank, so the site's name shows."""
    rules = CommunitySettings.load()
    written, fields = 0, []
    if not rules.footer_links:
        rules.footer_links = _stream(("link", link) for link in SITE_FOOTER_LINKS)
        written += len(SITE_FOOTER_LINKS)
        fields.append("footer_links")
    if not rules.contact_channels:
        rules.contact_channels = _stream(("channel", channel) for channel in SITE_CONTACT_CHANNELS)
        written += len(SITE_CONTACT_CHANNELS)
        fields.append("contact_channels")
    if fields:
        rules.save(update_fields=fields)
    return written


@contextmanager
def _established_members():
    """The demo's members have posted for weeks, so their story is played with the
    pre-moderation of new members' posts paused; the site's rules are put back
    afterwards (inside the same transaction), whatever they were."""
    rules = CommunitySettings.load()
    saved = (rules.premoderation_first_posts, rules.premoderation_max_links)
    rules.premoderation_first_posts, rules.premoderation_max_links = 0, 1000
    rules.save(update_fields=["premoderation_first_posts", "premoderation_max_links"])
    try:
        yield
    finally:
        rules.premoderation_first_posts, rules.premoderation_max_links = saved
        rules.save(update_fields=["premoderation_first_posts", "premoderation_max_links"])


def _ensure_spam_reply(accounts, *, now) -> Counter:
    """A reply that reads like an advert, for the open reports of the demo."""
    thread = Thread.objects.filter(title=SPAM_REPLY["thread"]).first()
    author = accounts[SPAM_REPLY["author"]]
    if thread is None or Reply.objects.filter(thread=thread, author=author).exists():
        return Counter()
    backdater = _Backdater()
    reply = reply_create(
        author=author, thread=thread, body=_text(SPAM_REPLY["body"]), check_limits=False
    )
    at = now - timedelta(hours=5)
    Reply.objects.filter(pk=reply.pk).update(created_at=at, updated_at=at)
    Thread.objects.filter(pk=thread.pk).update(last_activity_at=max(thread.last_activity_at, at))
    backdater.stamp(at)
    return Counter(replies=1)


def _ensure_moderation_demo(accounts, *, now) -> Counter:
    done = Counter()
    categories = Category.objects.in_bulk(field_name="slug")
    for spec in CANNED_RESPONSES:
        _canned, created = CannedResponse.objects.get_or_create(
            title=spec["title"],
            defaults={
                "category": categories.get(spec["category"]) if spec["category"] else None,
                "body": _text(spec["body"]),
            },
        )
        done["canned_responses"] += created

    # A new member's first question and reply wait for approval, as the site's
    # pre-moderation rule decides (nothing waits if an editor turned it off).
    newcomer = accounts["sam"]
    if not Thread.objects.filter(author=newcomer).exists():
        spec = NEW_MEMBER_THREAD
        asked_at = now - timedelta(hours=3)
        backdater = _Backdater()
        pending = thread_create(
            author=newcomer,
            category=categories[spec["category"]],
            title=spec["title"],
            body=_text(spec["body"]),
            tags=spec["tags"],
            check_limits=False,
        )
        Thread.objects.filter(pk=pending.pk).update(
            created_at=asked_at, last_activity_at=asked_at, updated_at=asked_at
        )
        backdater.stamp(asked_at)
        done["pending_posts"] += 1
        answered = Thread.objects.filter(title=THREADS[0]["title"]).first()
        if answered is not None:
            reply_create(
                author=newcomer,
                thread=answered,
                body="Same error here after descaling, the air trick from Camille fixed it.",
                check_limits=False,
            )
            done["pending_posts"] += 1

    spam = Reply.objects.filter(
        thread__title=SPAM_REPLY["thread"], author=accounts[SPAM_REPLY["author"]]
    ).first()
    if spam is not None and not Report.objects.filter(reply=spam).exists():
        for username, reason, note in SPAM_REPLY["reports"]:
            report_create(
                reporter=accounts[username],
                thread=spam.thread,
                reply=spam,
                reason=reason,
                note=note,
            )
            done["reports"] += 1

    # The most overdue question is being handled: the moderator has claimed it.
    if not Thread.objects.filter(assigned_to__isnull=False).exists():
        oldest = awaiting_official_reply().order_by("response_due_at", "pk").first()
        if oldest is not None:
            thread_claim(moderator=accounts["moderator"], thread=oldest)
            done["claims"] += 1
    return done
