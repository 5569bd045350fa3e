"""Spanish: the phrases of the themes, of bug reports and of feature requests. Faults: "se cierra
sola", "no abre", "no me deja entrar", "se queda cargando", "pantalla negra"; a negation cancels a
symptom ("sin errores", "nunca falla"). Requests: "por favor agreguen", "sería bueno", "me
gustaría", "deberían poner", "falta"; "arreglen" asks for a fix (a bug report).
"""

from __future__ import annotations

from bot.advice.theme_rules.values import LanguageRules

SPANISH = LanguageRules(
    language="es",
    themes={
        "login": (r"iniciar sesión", r"inicio de sesión", r"contraseña", r"usuario", r"cuenta\b",
                  r"face ?id", r"huella", r"ingresar", r"acceder", r"código de verificación"),
        "speed": (r"lent[oa]", r"lentitud", r"carga\b", r"cargando", r"tarda", r"lag",
                  r"rápid", r"demora"),
        "ads": (r"anuncios?", r"publicidad", r"propaganda"),
        "price": (r"precio", r"caro\b", r"cara\b", r"suscripci", r"pagar", r"pago\b", r"cobr",
                  r"gratis", r"premium", r"reembolso", r"estafa"),
        "sync": (r"sincroniz", r"perdí", r"se borr", r"desapareci", r"copia de seguridad",
                 r"respaldo", r"restaurar", r"icloud"),
        "missing": (r"falta", r"no tiene", r"no hay (?:opción|forma|manera)", r"no se puede"),
        "support": (r"atención al cliente", r"servicio al cliente", r"soporte", r"asesor",
                    r"respuesta", r"amable"),
        "usability": (r"fácil", r"facil", r"intuitiv", r"sencill", r"interfaz", r"diseño",
                      r"complicad", r"confus", r"navegación", r"práctic"),
        "notifications": (r"notificaci", r"alertas?", r"recordatorio"),
        "privacy": (r"privacidad", r"datos personales", r"seguridad", r"permisos", r"fraude",
                    r"estafa", r"rastre"),
        "updates": (r"actualizaci", r"actualizar", r"nueva versión", r"versión anterior",
                    r"update"),
        "payments": (r"transferencia", r"pagos?\b", r"tarjeta", r"saldo", r"depósito",
                     r"retiro"),
    },
    faults=(
        r"se (?:cierra|cuelga|congela|traba|tilda|bloquea|crashea|pega)",
        r"no (?:me )?(?:abre|deja|carga|funciona|sirve|inicia|conecta|guarda|sincroniza|"
        r"responde|reproduce|aparece|llega|muestra)", r"no puedo (?:entrar|iniciar|acceder|"
        r"abrir|ingresar|pagar|ver|usar|descargar|cargar|conectar)", r"pantalla (?:negra|"
        r"blanca|en blanco)", r"mensaje de error", r"perd[ií] (?:todos |todas |toda )?(?:mis|"
        r"los|las|mi)", r"se (?:me )?borr(?:ó|aron|o)", r"desapareci(?:ó|eron|o)",
        r"se queda (?:cargando|pegad|trabad|congelad|en blanco)", r"ya no (?:funciona|abre|"
        r"carga|sirve|puedo|me deja)", r"dej[óo] de funcionar", r"(?:arreglen|solucionen|"
        r"corrijan)", r"reinstal", r"inutilizable",
    ),
    symptoms=(r"errore?s?\b", r"fall(?:o|os|a|as)\b", r"bugs?\b", r"bugg", r"crash",
              r"lent[oa]\b", r"lag\b", r"problemas? (?:con|al|para)", r"congela"),
    requests=(
        r"(?:por ?favor|porfa|pls) (?:\w+ ){0,2}(?:agreg|añad|pong|incluy|hagan|saquen|"
        r"permit|traig|vuelvan|den)", r"agreg(?:uen|ar|en|ue)\b", r"añad(?:an|ir|a)\b",
        r"ojal[aá]", r"(?:sería|seria|estaría|estaria) (?:muy |super |re )?(?:bueno|buena|"
        r"genial|ideal|útil|util|excelente|increíble|perfecto|lindo|chévere|bien|mejor)",
        r"me gustar[ií]a", r"deber[ií]an (?:agregar|añadir|poner|incluir|permitir|tener|dejar|"
        r"hacer)", r"deber[ií]a (?:tener|permitir|haber|poder)", r"falta(?:n|ría)? (?:un|una|el"
        r"|la|los|las|opci|más|mas)", r"hace falta", r"no tiene (?:la )?(?:opción|modo|forma|"
        r"manera)", r"no hay (?:opción|forma|manera|modo)", r"(?:opción|posibilidad) (?:de|"
        r"para)", r"quisiera", r"espero que (?:agreguen|añadan|pongan|saquen|incluyan)",
        r"modo oscuro", r"por qué no (?:puedo|se puede|hay|agregan|ponen)",
        r"vuelvan a poner", r"que (?:agreguen|pongan|añadan|permitan|incluyan)",
    ),
    symptom_before=r"(?:\b(?:sin|ningún|ninguna|ningun|nunca|cero|jamás|ni)\s+(?:\w+\s+){0,2})$",
    fault_before=r"(?:\b(?:nunca|jamás|sin)\s+)$",
    request_before=r"(?:\b(?:gracias por|por)\s+)$",
)
