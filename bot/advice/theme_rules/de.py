"""German: the phrases of the themes, of bug reports and of feature requests. Faults: "stürzt ab",
"lässt sich nicht öffnen", "funktioniert nicht mehr", "hängt sich auf", "Fehlermeldung"; a
negation before or just after a symptom cancels it ("keine Abstürze", "stürzt nie ab"). Requests:
"bitte … hinzufügen", "ich wünsche mir", "wäre schön, wenn", "es fehlt", "es gibt keine
Möglichkeit"; "bitte beheben" asks for a fix, which is a bug report.
"""

from __future__ import annotations

from bot.advice.theme_rules.values import LanguageRules

GERMAN = LanguageRules(
    language="de",
    themes={
        "login": (r"anmeld", r"einlogg", r"login", r"log-in", r"passwort", r"kennwort",
                  r"face ?id", r"touch ?id", r"fingerabdruck", r"benutzername", r"konto\b",
                  r"zugangsdaten", r"verifizierung", r"zwei-faktor"),
        "speed": (r"langsam", r"ladezeit", r"lädt", r"laden", r"ruckel", r"lag", r"hängt",
                  r"dauert (?:ewig|lange|ewigkeiten)", r"schnell", r"wartezeit", r"flüssig"),
        "ads": (r"werbung", r"werbe", r"reklame", r"pop-?ups?"),
        "price": (r"preis", r"teuer", r"abo\b", r"abonnement", r"kosten", r"kostenpflichtig",
                  r"gebühr", r"bezahl", r"premium", r"geld zurück", r"erstattung", r"abzocke",
                  r"probeabo", r"in-app-käufe", r"gratis", r"kostenlos"),
        "sync": (r"synchron", r"daten (?:weg|verloren|gelöscht)", r"alles weg", r"verschwunden",
                 r"gelöscht", r"backup", r"sicherung", r"wiederherstell", r"icloud"),
        "missing": (r"fehlt", r"fehlen", r"vermisse", r"keine möglichkeit", r"nicht möglich",
                    r"kann man nicht"),
        "support": (r"kundenservice", r"kundendienst", r"support", r"hotline", r"service\b",
                    r"mitarbeiter", r"hilfsbereit", r"freundlich"),
        "usability": (r"übersichtlich", r"unübersichtlich", r"benutzerfreundlich",
                      r"bedienung", r"intuitiv", r"einfach", r"design", r"oberfläche",
                      r"layout", r"schrift", r"kompliziert", r"umständlich", r"navigation",
                      r"handhabung"),
        "notifications": (r"benachrichtigung", r"mitteilung", r"push", r"erinnerung"),
        "privacy": (r"datenschutz", r"daten(?:sammel|krake)", r"tracking", r"berechtigung",
                    r"sicherheit", r"betrug", r"abzocke", r"privatsphäre"),
        "updates": (r"update", r"aktualisierung", r"neue version", r"alte version",
                    r"vorherige version",
                    r"seit (?:dem|der) (?:letzten |neuen )?(?:update|version)"),
        "payments": (r"überweisung", r"zahlung", r"bezahlung", r"lastschrift", r"karte",
                     r"kontostand", r"einzahlung", r"paypal", r"umsätze"),
    },
    faults=(
        r"hängt sich auf", r"friert ein", r"eingefroren",
        r"(?:lässt|ließ) sich (?:[\w-]+ ){0,3}(?:nicht|nicht mehr|kaum) (?:öffnen|starten|laden|"
        r"bedienen|installieren|aktualisieren)", r"(?:öffnet|startet|lädt|reagiert|synchronisiert|"
        r"speichert|verbindet) (?:sich )?(?:nicht|nicht mehr|gar nicht|überhaupt nicht|nie)",
        r"(?:funktioniert|funktionieren|geht|gehen|klappt|läuft) (?:seit[^.!?]{0,30})?"
        r"(?:nicht|nicht mehr|gar nicht|überhaupt nicht|nie|kaum)",
        r"kann (?:mich )?(?:nicht|nicht mehr) (?:mehr )?(?:einloggen|anmelden|öffnen|starten|"
        r"zugreifen|bezahlen|überweisen)", r"(?:anmeldung|login|einloggen) (?:ist )?"
        r"(?:fehlgeschlagen|unmöglich|nicht möglich)", r"(?:schwarzer|weißer|leerer) bildschirm",
        r"bildschirm (?:bleibt|wird) (?:schwarz|weiß|leer)", r"fehlermeldung",
        r"daten (?:sind )?(?:weg|verloren|gelöscht)", r"alles (?:ist )?weg", r"verschwunden",
        r"lädt (?:ewig|nicht|endlos)", r"ewig (?:laden|geladen)", r"ladebildschirm",
        r"keine verbindung", r"nicht mehr möglich", r"unbrauchbar", r"nicht nutzbar",
        r"schließt sich", r"wirft mich raus", r"loggt mich (?:ständig |immer )?aus",
        r"(?:bitte|dringend) (?:beheben|fixen|reparieren)", r"(?:behebt|behebe|fixt) (?:das|den|"
        r"die|diesen|bitte)", r"neu (?:installier|start)", r"hängen ?geblieben", r"bleibt hängen",
    ),
    symptoms=(r"stürzt\b", r"abstürz", r"absturz", r"bugs?\b", r"buggy", r"fehler", r"glitch",
              r"ruckel", r"lag(?:s|gt)?\b",
              r"langsam", r"abstürze", r"probleme mit", r"crash", r"verbuggt", r"fehlerhaft"),
    requests=(
        r"bitte (?:[\w-]+ ){0,4}(?:hinzufüg|einbau|einführ|ergänz|integrier|anbiet|ermöglich|"
        r"zurückbring|wieder einführ|einstell|mehr|eine?n?\b|die möglichkeit|um )",
        r"(?:hinzufügen|einbauen|einführen|ergänzen|integrieren|nachrüsten)", r"wünsche mir",
        r"ich wünsch", r"wünschenswert", r"wunsch", r"wäre (?:es )?(?:echt |sehr |total |richtig "
        r")?(?:schön|toll|super|cool|gut|praktisch|hilfreich|klasse|nett|genial|ideal|perfekt|"
        r"besser)", r"würde mich (?:sehr )?freuen", r"(?:fehlt|fehlen) (?:mir |leider |noch |"
        r"eine?|die|der|das)", r"vermisse", r"sollte(?:n)? (?:es )?(?:man|eine?n?|die "
        r"möglichkeit|auch|unbedingt|endlich)", r"(?:es gibt|gibt es) (?:leider )?(?:keine?n?|"
        r"noch keine?n?) (?:möglichkeit|option|funktion|dunkel|widget|suche|export)",
        r"warum (?:kann man|gibt es) (?:nicht|kein)", r"(?:option|möglichkeit|funktion) "
        r"(?:für|zum|zur|um)", r"dunkelmodus", r"dark ?mode", r"wenn man (?:[\w-]+ ){0,4}könnte",
        r"wieder (?:einführ|zurück)",
    ),
    symptom_before=r"(?:\b(?:kein(?:e|en|er)?|nie|niemals|ohne|nicht|null|selten|kaum|"
    r"behoben|früher)\s+(?:\w+\s+){0,2})$",
    symptom_after=r"^\w*\s+(?:\w+\s+)?(?:nie|niemals|nicht|kaum|selten|mehr nicht)\b",
    fault_before=r"(?:\b(?:nie|niemals|kaum|früher)\s+(?:\w+\s+){0,1})$",
    request_before=r"(?:\b(?:zu|um|danke für|danke fürs)\s+)$",
)
