"""Portuguese (Brazil first): the phrases of the themes, of bug reports and of feature requests.
Faults: "trava", "fecha sozinho", "não abre", "não consigo entrar", "tela preta", "sumiu"; a
negation cancels a symptom ("sem bugs", "nunca travou"). Requests: "por favor adicionem", "seria
bom", "gostaria que", "deveria ter", "falta"; "arrumem" asks for a fix (a bug report). Users
often drop the tilde ("nao"), so both spellings are phrases.
"""

from __future__ import annotations

from bot.advice.theme_rules.values import LanguageRules

_NOT = r"(?:não|nao|n)"

PORTUGUESE = LanguageRules(
    language="pt",
    themes={
        "login": (r"login", r"entrar na conta", r"senha", r"usuário", r"conta\b", r"face ?id",
                  r"digital\b", r"código de verificação", r"acessar"),
        "speed": (r"lent[oa]", r"lentidão", r"lerd", r"carregando", r"carregar", r"demora",
                  r"lag", r"rápid", r"trava"),
        "ads": (r"anúncios?", r"anuncios?", r"propaganda", r"publicidade"),
        "price": (r"preço", r"preco", r"caro\b", r"assinatura", r"pagar", r"cobr", r"grátis",
                  r"gratis", r"premium", r"reembolso", r"golpe"),
        "sync": (r"sincroniz", r"perdi", r"sumiu", r"sumiram", r"apagou", r"desapareceu",
                 r"backup", r"restaurar", r"icloud"),
        "missing": (r"falta", _NOT + r" tem (?:opção|como|modo)", _NOT + r" dá pra"),
        "support": (r"atendimento", r"suporte", r"sac\b", r"atendente", r"resposta"),
        "usability": (r"fácil", r"facil", r"intuitiv", r"simples", r"interface", r"design",
                      r"complicad", r"confus", r"navegação", r"prátic"),
        "notifications": (r"notifica", r"alertas?", r"lembrete"),
        "privacy": (r"privacidade", r"dados pessoais", r"segurança", r"permiss", r"golpe",
                    r"fraude"),
        "updates": (r"atualiza", r"nova versão", r"versão anterior", r"update"),
        "payments": (r"pix\b", r"transferência", r"pagamento", r"cartão", r"saldo",
                     r"boleto", r"depósito"),
    },
    faults=(
        r"fecha (?:sozinh|do nada|toda hora|sempre)", r"fechando sozinh",
        _NOT + r" (?:abre|carrega|funciona|entra|conecta|salva|sincroniza|inicia|deixa|"
        r"aparece|chega|mostra|toca|responde)", _NOT + r" consigo (?:entrar|acessar|abrir|"
        r"logar|fazer login|usar|pagar|ver|baixar|carregar)", r"parou de funcionar",
        r"tela (?:preta|branca|em branco)", r"mensagem de erro", r"perdi (?:todos |todas |tudo"
        r")?(?:os |as )?(?:meus|minhas|meu|minha)", r"sumiu", r"sumiram", r"apagou (?:todos|"
        r"tudo|meus|minhas)", r"desapareceu", r"fica (?:carregando|travad|parad)",
        r"(?:arrumem|consertem|corrijam|resolvam)", r"reinstal", r"inutilizável",
        r"caiu\b", r"crashando",
    ),
    symptoms=(r"bug(?:s|ado|ada|ando)?\b", r"erros?\b", r"crash", r"lent[oa]\b", r"lag\b",
              r"trav(?:a|ando|ou|ar|amentos?)\b", r"congela", r"problemas? (?:com|no|na|ao|"
              r"para)", r"falha"),
    requests=(
        r"(?:por favor|pfv|pf|pls|porfavor) (?:\w+ ){0,2}(?:adicion|coloqu|coloc|inclu|ponh|"
        r"trag|volt|faç|cri|deix)", r"adicion(?:ar|em|e)\b", r"coloqu(?:em|e)\b",
        r"poderiam (?:adicionar|colocar|incluir|fazer|ter|voltar|criar)", r"(?:seria|ia ser) "
        r"(?:muito )?(?:bom|legal|ótimo|otimo|interessante|bacana|perfeito|incrível|incrivel|"
        r"útil|util|top|melhor)", r"gostaria (?:de|que|muito)", r"queria (?:que|muito)",
        r"deveria (?:ter|permitir|haver|poder)", r"deveriam (?:adicionar|colocar|ter|permitir|"
        r"fazer)", r"falta(?:m)? (?:um|uma|o|a|os|as|opç|mais)", r"sinto falta",
        _NOT + r" tem (?:opção|como|modo|a opção)", r"(?:opção|possibilidade) (?:de|para)",
        r"espero que (?:adicionem|coloquem|tragam|voltem)", r"modo escuro", r"tomara que",
        r"voltem com", r"por ?que (?:não|nao) (?:tem|posso|dá|da)",
    ),
    symptom_before=r"(?:\b(?:sem|nenhum|nenhuma|nunca|zero|jamais|nem)\s+(?:\w+\s+){0,2})$",
    fault_before=r"(?:\b(?:nunca|jamais|sem)\s+)$",
    request_before=r"(?:\b(?:obrigad[oa] por|por)\s+)$",
)
