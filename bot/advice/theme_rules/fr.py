"""French: the phrases of the themes, of bug reports and of feature requests. Faults: "plante",
"ne s'ouvre plus", "impossible de se connecter", "écran noir", "message d'erreur"; a negation
cancels a symptom ("aucun bug", "ne plante jamais"). Requests: "il faudrait", "ce serait bien",
"j'aimerais", "pourriez-vous ajouter", "il manque"; "merci de corriger" asks for a fix (a bug
report).
"""

from __future__ import annotations

from bot.advice.theme_rules.values import LanguageRules

FRENCH = LanguageRules(
    language="fr",
    themes={
        "login": (r"connexion", r"connecter", r"identifiant", r"mot de passe", r"face ?id",
                  r"touch ?id", r"empreinte", r"compte\b", r"authentification", r"code de"),
        "speed": (r"lent", r"lenteur", r"rame", r"chargement", r"charge\b", r"lag",
                  r"rapide", r"fluide", r"attente"),
        "ads": (r"pub\b", r"pubs\b", r"publicit", r"annonces?"),
        "price": (r"prix", r"cher\b", r"chère", r"abonnement", r"payant", r"payer", r"gratuit",
                  r"frais", r"rembours", r"premium", r"arnaque", r"achats? intégrés?"),
        "sync": (r"synchro", r"données perdues", r"perdu (?:toutes |tous )?mes", r"disparu",
                 r"supprimé", r"sauvegarde", r"restaur", r"icloud"),
        "missing": (r"il manque", r"manque", r"pas possible de", r"impossible de"),
        "support": (r"service client", r"support", r"sav\b", r"conseiller", r"assistance",
                    r"réponse", r"aimable"),
        "usability": (r"intuiti", r"facile", r"simple", r"ergonom", r"interface", r"design",
                      r"compliqué", r"clair", r"lisible", r"navigation", r"pratique"),
        "notifications": (r"notification", r"alerte", r"rappel"),
        "privacy": (r"données personnelles", r"confidentialité", r"vie privée", r"tracking",
                    r"sécurité", r"autorisation", r"arnaque", r"fraude"),
        "updates": (r"mise à jour", r"mises à jour", r"maj\b", r"nouvelle version",
                    r"ancienne version", r"update"),
        "payments": (r"virement", r"paiement", r"carte", r"solde", r"dépôt", r"prélèvement",
                     r"chèque", r"relevé"),
    },
    faults=(
        r"ne s'ouvre (?:plus|pas)", r"s'ouvre (?:plus|pas)",
        r"(?:ne )?(?:se )?(?:lance|charge|marche|fonctionne|démarre|connecte|synchronise|"
        r"répond|s'affiche|affiche) (?:plus|pas|jamais|rien)", r"impossible d(?:e |')",
        r"écran (?:noir|blanc|figé)", r"message d'erreur", r"perdu (?:toutes |tous )?(?:mes|"
        r"les)", r"données (?:perdues|effacées)", r"reste bloqu", r"bloqu(?:é|ée|e) (?:sur|à|au)",
        r"se ferme (?:tout seul|toute seule|toute|d'elle|sans)", r"se ferme", r"fig(?:é|e)\b",
        r"chargement (?:infini|interminable|sans fin)", r"tourne dans le vide",
        r"(?:me )?déconnecte (?:tout le temps|sans cesse|constamment)", r"inutilisable",
        r"(?:merci de|veuillez|svp) (?:corriger|réparer)", r"corrigez", r"réinstall",
        r"ça (?:beug|bug)", r"ne sert à rien",
    ),
    symptoms=(r"plant(?:e|ent|é|age)\b", r"bugs?\b", r"beug", r"bogue", r"buggé", r"crash",
              r"erreurs?\b", r"freeze",
              r"lag\b", r"lent(?:e|eur)?\b", r"rame\b", r"problèmes? de", r"dysfonctionnement"),
    requests=(
        r"il faudrait", r"faudrait", r"(?:ce |ça )?serait (?:vraiment |très |super |trop )?"
        r"(?:bien|top|super|génial|pratique|utile|cool|sympa|parfait|idéal|chouette|mieux)",
        r"j'aimerais", r"j'adorerais", r"je souhaite", r"je souhaiterais", r"souhait",
        r"(?:pourriez|pouvez|pourrait|pourriez)(?:-vous| vous|-on| on) (?:\w+ )?(?:ajouter|"
        r"mettre|rajouter|faire|intégrer|remettre|proposer)", r"(?:svp|s'il vous plaît|stp|"
        r"merci d') ?(?:ajout|mett|rajout|remett)", r"ajouter", r"rajouter", r"ajoutez",
        r"rajoutez", r"il manque", r"manque (?:juste|un|une|le|la|les|des|d')",
        r"dommage qu'il n'y ait pas", r"il n'y a pas de (?:mode|option|possibilité|moyen|widget)",
        r"(?:possibilité|option|moyen) (?:de|pour|d')", r"mode sombre", r"remettez", r"remettre",
        r"pourquoi (?:ne peut-on|on ne peut|pas|ne pas|il n'y a pas)", r"si seulement",
        r"j'espère que (?:vous|l'appli|l'application)",
    ),
    symptom_before=r"(?:\b(?:aucun|aucune|pas de|pas un seul|pas une seule|jamais|sans|zéro|ni|"
    r"plus de)\s+(?:\w+\s+){0,2})$",
    symptom_after=r"^\w*\s+(?:jamais|pas|plus|guère)\b",
    fault_before=r"(?:\b(?:jamais|sans)\s+)$",
    request_before=r"(?:\b(?:merci d'avoir|merci pour|d'avoir|pour)\s*)$",
)
