"""English: the phrases of the themes, of bug reports and of feature requests.

Bug reports follow how users write them: a fault that needs no context ("won't open", "keeps
freezing", "can't log in", "black screen", "lost all my data", "not loading"), or a symptom word
("crash", "bug", "glitch", "error", "lag") that a negation just before it cancels ("no bugs",
"never crashes", "haven't found a single bug", "used to crash"). Requests: asking ("please add",
"can you add", "bring back"), wishing ("I wish it had", "would be nice if", "hoping for"), or
naming what is missing ("needs a widget", "there's no way to", "why can't I"), but not wishes
for a lower price or fewer ads, "I wish I had found this sooner", or a thanks for what was added.
"""

from __future__ import annotations

from bot.advice.theme_rules.values import LanguageRules

_NT = r"(?:n'?t|not)"  # "doesn't", "doesnt", "does not"
_CANT = r"(?:can'?t|cannot|can not|couldn'?t|could not|unable to|won'?t|wont|will not|would" \
    r"(?:n'?t| not)|didn'?t|did not|doesn'?t|does not|not able to)"
_ACTIONS = (
    r"(?:open|load|pay|launch|start|connect|sync|save|play|log ?in|login|logon|sign ?in|signin|"
    r"register|sign up|upload|download|update|refresh|send|scan|book|check ?out|access|"
    r"get (?:in|into|past|on)|stay logged|recogni[sz]e|read (?:the|my)|find (?:the|my) "
    r"(?:endorse|order|account)|view (?:my|the|any)|see (?:my|the|any)|work|respond|let me)"
)

ENGLISH = LanguageRules(
    language="en",
    themes={
        "login": (
            r"log ?in", r"log-in", r"logg(?:ing|ed) (?:in|into|out)", r"log (?:back )?in",
            r"sign(?:ing)? ?in", r"passwords?", r"pass ?code", r"face ?id", r"touch ?id",
            r"fingerprint", r"user ?names?", r"locked out", r"two.factor", r"verification code",
            r"authenticat", r"bad request", r"can'?t (?:get|log) (?:in|into)",
        ),
        "speed": (
            r"slow", r"loads?\b", r"loading", r"load time", r"takes? (?:forever|ages|minutes)",
            r"lag", r"time[sd]? ?out", r"timed out", r"timeout", r"responsive", r"fast\b",
            r"quick", r"waiting",
        ),
        "ads": (r"ads\b", r"advert", r"commercials?", r"pop ?-?ups?"),
        "price": (
            r"price", r"pricing", r"expensive", r"subscri", r"paywall", r"pay (?:for|to)",
            r"charg(?:e|ed|es|ing)", r"fees?\b", r"refund", r"premium", r"costs?\b",
            r"free trial", r"overpriced", r"money back",
        ),
        "sync": (
            r"sync", r"lost (?:my|all)", r"data loss", r"deleted (?:my|all)", r"disappear",
            r"back ?up", r"restore", r"icloud", r"(?:does|did)(?:n'?t| not) save", r"not sav",
            r"(?:won'?t|doesn'?t|does not) (?:remember|update)", r"log out and log back in",
            r"pending", r"delay in",
        ),
        "missing": (
            r"missing", r"lacks?\b", r"lack of", r"no (?:option|way) to",
            r"(?:does|do)(?:n'?t| not) (?:allow|let|have|support)", r"not able to", r"unable to",
            r"can'?t (?:even )?(?:view|see|use|find|add|change|export)",
            r"should (?:have|be able)", r"need(?:s)? (?:a|an|to be able)",
        ),
        "support": (
            r"customer (?:service|support|care)", r"support\b", r"staff", r"help ?desk",
            r"representatives?", r"manager", r"call(?:ed|ing)? (?:you|them|the)",
            r"tellers?", r"helpful", r"friendly",
        ),
        "usability": (
            r"easy to (?:use|navigate)", r"easy\b", r"intuitive", r"interface", r"design",
            r"layout", r"ui\b", r"confusing", r"hard to (?:use|see|read|navigate|find)",
            r"difficult to", r"fonts?\b", r"colou?rs?\b", r"landscape", r"navigat",
            r"user.friendly", r"simple", r"visual", r"convenient", r"clunky",
        ),
        "notifications": (r"notifications?", r"alerts?\b", r"push\b", r"reminders?"),
        "privacy": (
            r"privacy", r"track(?:ing|s me)", r"data sharing", r"permissions?", r"personal data",
            r"sell(?:s|ing)? (?:my|your) data", r"spy", r"security", r"secure\b", r"fraud",
            r"scam",
        ),
        "updates": (
            r"(?:new|latest|recent|last) (?:update|version|app)",
            r"(?:since|after) (?:the|this|their|its)? ?(?:new |last |latest |most recent )?"
            r"(?:update|upgrade|redesign)",
            r"upgrade", r"previous (?:version|app)", r"old (?:app|version)", r"redesign",
            r"changed? (?:the|it|what)",
        ),
        "payments": (
            r"deposits?", r"endorse", r"transfer", r"payments?", r"bill ?pay", r"zelle",
            r"checks\b", r"balances?", r"statements?", r"atms?\b", r"cards?\b",
        ),
    },
    faults=(
        _CANT + r" (?:even |ever |always |really |properly |let me )?" + _ACTIONS,
        r"(?:does|do|did|is|are|was|were|has|have)" + _NT + r" (?:been )?(?:even |always |really "
        r"|properly )?(?:work|load|open|sav|sync|updat|refresh|respond|show up|connect|count|"
        r"record|remember|recogni|go off|arrive|come)",
        r"(?:not|never|no longer|stopped|quit|stops|barely|rarely|hardly|isn'?t) (?:even |really "
        r"|properly |always )?(?:work|load|open|sav|sync|updat|refresh|respond|connect|count|"
        r"record|show|display|play|send|arriv|download|upload|accept|register|recogni|function)",
        r"unstable", r"sluggish", r"malfunction", r"not functioning", r"stopped syncing",
        r"(?:is|are|was|got|it'?s) (?:all )?(?:messed|screwed) up",
        r"(?:keeps?|kept) (?:on )?(?:crash|freez|clos|logging me|kicking me|signing me|restart|"
        r"reset|losing|deleting|spinning|buffering|loading|saying|telling|asking|showing|jumping|"
        r"going back|turning off|glitch|lagging|stopping|cutting|dropping|failing|throwing|"
        r"giving me|popping up|disconnect|refresh)",
        r"(?:logs|logged|kicks|kicked|signs|signed|throws|threw) (?:me )?out",
        r"(?:closes|closed|shuts? down|shut off|quits|exits) (?:by itself|on its own|itself|"
        r"immediately|unexpectedly|automatically|randomly|right away|out)",
        r"force (?:close|quit)", r"reinstall", r"(?:restart|reboot|power down|turn off) (?:the |"
        r"my )?(?:whole )?(?:app|phone|iphone|ipad|device)",
        r"(?:black|blank|white|grey|gray|empty|frozen) (?:screen|page|box)",
        r"screen (?:goes|went|turns) (?:black|white|blank)",
        r"spinning (?:wheel|circle)", r"endless (?:spinner|loading)", r"spinner", r"stuck (?:on|at"
        r"|in|loading)", r"hangs\b", r"hung up", r"loading forever", r"loads? forever",
        r"(?:nothing|never|won'?t|wont|doesn'?t) loads?", r"not loading", r"infinite load",
        r"(?:takes|took) (?:forever|ages|minutes|a long time)(?: to)?",
        r"lost (?:all )?(?:my|our|of my)", r"los(?:e|es|ing) (?:all )?(?:my|our|the) (?:data|"
        r"progress|photos|notes|work|place|streak)", r"deleted (?:all )?(?:my|our)",
        r"(?:disappeared|disappear|vanished|are gone|is gone|went missing|got wiped|wiped out)",
        r"progress (?:reset|gone|lost)", r"reset (?:to|my)", r"out of sync",
        r"something went wrong", r"went wrong", r"try again later", r"bad request",
        r"request timed out", r"timed out", r"times out", r"service unavailable",
        r"(?:says|saying|shows|showing) (?:i'?m |that i'?m |i am |i have |my |it'?s |the )?(?:not "
        r"connected|no internet|offline|invalid|wrong|incorrect|expired|declined|failed|0\b)",
        r"no (?:internet|connection) (?:connection|error)", r"network error", r"connection error",
        r"server (?:is )?(?:down|error)", r"session expired", r"(?:email|code|text|sms|coins?|"
        r"items?|order|money|refund) (?:never|doesn'?t|didn'?t|won'?t) (?:comes?|arrives?|came|"
        r"arrived|show)", r"never (?:came|arrived|received|got (?:my|the))",
        r"unusable", r"unresponsive", r"not responding", r"(?:does|do) nothing",
        r"nothing happens", r"(?:gr[ae]y(?:ed)? out)", r"freez", r"froze\b", r"is frozen",
        r"(?:overlap|cut off|cuts? out|flicker|upside down|stutter|buffering)",
        r"(?:no|without) (?:sound|audio|picture|video)\b", r"(?:charged|billed) (?:me )?(?:twice|"
        r"double|two times)", r"double charged",
        r"(?:shows?|showing|displays?|is|are|it'?s) (?:the )?(?:wrong|incorrect|inaccurate|off by"
        r"|way off)", r"wrong (?:balance|price|time|score|language|data|location|amount|date)s?",
        r"(?:please|pls|plz|pleas+e) fix", r"fix (?:it|this|the|your|that)\b", r"fix asap",
        r"(?:needs?|need to be) fix", r"doesn'?t live up",
        r"(?:login|log in|loading|sound|audio|sync|syncing|connection|technical|server|"
        r"performance|display|camera|video|playback|network|app) (?:issues?|problems?|errors?)",
        r"(?:has|have|having|had) (?:had )?(?:a lot of |lots of |many |some |constant |serious |"
        r"the )?(?:issues|problems|trouble)", r"trouble (?:with|logging|loading|connecting|"
        r"recogni|getting|finding|reading)", r"(?:issue|problem) (?:with|where|when|is that)",
        r"(?:payment|transaction|login|upload|download|sync|deposit|purchase)s? (?:fail|failed)",
        r"(?:fails?|failed|failing) (?:to|every|each|all|with|again)", r"error \d", r"error code",
        r"(?:goes|went|is|gets|got) (?:wrong|missing|stuck|blank)", r"inconsistent",
        r"(?:audio|sound|video) (?:goes|is|gets)? ?(?:out|delayed|cuts)",
        r"(?:arrive|arrives|come|comes|came) (?:hours |days |very )?late", r"hours late",
        r"(?:stops|stopped|cuts out|drops|disconnects) (?:every|randomly|constantly|all the time"
        r"|mid|in the middle|after|working|playing|responding|loading|counting|recording)",
        r"(?:resets|restarts|jumps back|reverts)\b",
        r"(?:one|small|minor|little|weird|annoying|big|major|huge|serious) (?:issue|problem|bug)"
        r"s?\b", r"(?:is|it'?s|are|was) supposed to\b", r"have to keep (?:putting|entering|"
        r"typing|logging|signing|re-?entering|restarting)",
        r"takes? (?:about |like |over |almost |up to )?\d+(?:-\d+)? (?:minutes|seconds) to "
        r"(?:even |load|open|start|log|scan|sign|get)",
    ),
    symptoms=(
        r"crash(?! course| diet)", r"crach", r"chrash", r"bugs?\b", r"bugg", r"buggy",
        r"glitch", r"glich", r"errors?\b", r"lag(?:s|gy|ging|ged)?\b", r"slow(?:ly| to|er)?\b",
        r"broken\b(?! english)", r"broke (?:the|my|it|everything|down)", r"crashe?s\b",
        r"fails\b", r"failed\b", r"not working", r"stopped working",
    ),
    requests=(
        r"(?:please|pls|plz|pleas+e|kindly) (?:add|bring|make|let|include|give|allow|consider|"
        r"support|put|create|implement|enable|introduce|offer|translate|do|have)",
        r"i wish\b", r"wish (?:it|there|they|you|the app|this app|we|i could|list)",
        r"wish ?list", r"wishlist",
        r"(?:would|it'?d|will|that'?d) (?:also |really |definitely |certainly )?(?:be )?"
        r"(?:really |so |very |super |much |even )?(?:nice|"
        r"great|awesome|cool|helpful|good|better|handy|amazing|fantastic|useful|lovely|"
        r"brilliant|ideal|appreciated|a (?:great|nice|good|welcome|useful) (?:addition|feature|"
        r"improvement))",
        r"would be perfect (?:if|with)", r"would make (?:it|this|the app) (?:perfect|better|"
        r"even better|great|much better|more)",
        r"(?:i|we)'?d (?:really )?(?:love|like|prefer|rather)", r"(?:would|really) (?:love|like) "
        r"(?:to see|to have|to be able|a |an |some |more |it if|if|the option|the ability)",
        r"(?:would|i'?d) (?:also |really |so |just )?love\b"
        r"(?! to (?:give|rate|recommend|use|keep|play|continue|love))",
        r"(?:i|we) (?:really )?(?:want|need) (?:to be able|a |an |more |the option|an option|"
        r"the ability|option|some |it to|them to|you to|to (?:see|have|add))",
        r"needs? (?:an? (?!lot)|more |some (?!work|fix)|the (?:option|ability)|to (?:add|have|"
        r"include|support|allow|let|bring|offer|show)|better |proper |dark |offline |bank |"
        r"landscape |tablet |ipad |widgets?|an? undo)",
        r"should (?:add|include|have (?:a|an|the|more|some|option)|allow|let|show|support|be "
        r"able|make|offer|give|bring|consider|put|implement|also|really|sync|integrate|work "
        r"with|connect|be (?:a|an) (?:option|way|setting|button|feature))",
        r"there should be", r"(?:can|could|will|would) (?:you|u|we|they|the devs?|developers?) "
        r"(?:please |pls |guys |maybe |possibly )?(?:add|make|get|have|include|put|bring|give|"
        r"let|allow|support|implement|consider|create|update the|introduce)",
        r"add(?:ing)? (?:a |an |the )?(?:option|ability|feature|support|setting|button|way|"
        r"mode|widget|dark|more|some|it\b|that\b|them\b)",
        r"add (?!to\b|my\b|your\b|it to|money|funds|cards?\b|photos? to)\w",
        r"(?:is|are) missing", r"missing (?:a|an|the|feature|features|option|options|some|"
        r"basic)", r"features? missing", r"only thing (?:missing|i'?d|i would|it needs|it "
        r"lacks)", r"lacks?\b", r"lacking",
        r"(?:there'?s|theres|there is|is there) no (?:way|option|setting|button|feature|"
        r"ability|support|search|dark|offline)", r"no (?:way|option) to", r"no \w+ support",
        r"no support for", r"(?:does|do)(?:n'?t| not) (?:have|support|allow|offer|let you|"
        r"include) (?:a|an|any|the|you|us|me|to|for|multiple|more|dark|landscape|split|offline)",
        r"if only", r"stars? if (?:you|they|there|it (?:had|has|could|let|allowed|supported|"
        r"offered|included|was able)|the app (?:had|could))",
        r"if (?:you|they) (?:add|added|make|made|include|included|bring|brought)\b",
        r"could (?:really )?use (?:a|an|some|more|them|it|the)\b",
        r"could be (?:better|improved|great|perfect) (?:if|with)",
        r"bring (?:back|it back|them back)", r"put (?:it |them )?back",
        r"why (?:can'?t|cannot|can not|isn'?t there|is there no|no|not add|don'?t you|doesn'?t "
        r"it|not) (?:i|we|you|u|a|an|the|add|let|have|option|support)\b",
        r"how about (?:adding|a|an|some|more|the)", r"what about (?:adding|a|an)",
        r"maybe (?:add|a |an |some |in a future|you could|adding|allow|let)",
        r"any chance (?:of|you|we)", r"consider(?:ing)? (?:adding|making|a|an)",
        r"hope (?:you|they|the devs?|to see|for|that)", r"hoping (?:for|you|they|to see)",
        r"looking forward to (?:a|an|the|more|new)", r"(?:make|making) (?:it )?possible",
        r"give us", r"let us\b", r"allow (?:us|users) to", r"(?:an|the) option (?:to (?:turn"
        r"|hide|change|choose|set|disable|mute|sort|filter|export|share|pick|select|skip|edit|"
        r"delete|remove|switch)|for)", r"requests?:", r"feature request",
        r"suggestion", r"ideas:",
        r"suggest (?:adding|that you|you add|a |an )", r"recommend adding",
        r"would (?:really |also )?help (?:if|to have|a lot if)", r"it'?d help",
        r"let (?:users|people) ", r"allow me to",
        r"(?:want|need) more", r"more [^.!?]{0,40}\b(?:please|pls|plz)\b",
        r"(?:thing|things) (?:i'?m|i am) missing", r"i'?m missing", r"i miss (?:the|a|being)",
    ),
    symptom_before=(
        r"(?:\b(?:no|never|not|without|zero|nor|free of|rarely|hardly|dont|doesnt|didnt|wont|"
        r"cant|isnt|wasnt|havent|hasnt|hadnt|arent|couldnt|wouldnt|used to|fix(?:ed|ing)|"
        r"old one|previous (?:app|version))|(?<!if it did)(?<!if it does)(?<!if it would)n't|"
        r"\bother (?:apps?|ones?)\b[^.!?]{0,20})\s+(?:\w+[\s,]+){0,3}$"
    ),
    fault_before=r"(?:thanks? (?:you )?for|fix(?:ed|ing)|used to|never had|other apps?)\s+"
    r"(?:\w+\s+){0,2}$",
    fault_after=r"^[^.!?]{0,60}\b(?:(?:update|version|they|devs?|developers?|you) (?:has |have )?"
    r"(?:fixed|solved|resolved)|sorted (?:it )?out|was (?:quickly )?(?:solved|resolved|fixed))",
    request_before=(
        r"\b(?:to|tried|trying|when (?:i|you)|you can|can|easily|easy to|thanks? (?:you )?for|"
        r"glad (?:you|they)|love that you|for|had to|can'?t|cannot|unable to|let me)\s+$"
    ),
    request_after=(
        r"^\s*(?:i (?:had|would have|knew|found|discovered|started|downloaded|could give)|more"
        r" apps|other apps|(?:(?:they|you) )?(?:wouldn'?t|would stop|didn'?t|hadn'?t)|(?:there )?"
        r"(?:was|were) a fix|[^.!?]{0,40}\b(?:cheaper|less expensive|lower price|fewer ads|"
        r"less ads|(?:did|would|does)(?:n'?t| not) (?:crash|freez|lag)|stopped crashing))"
    ),
)
