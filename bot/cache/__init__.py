"""What workers keep between commands — answers, customer reviews, conversations, per-user
limits, deliveries already handled —
each in this process's memory or shared through Redis (`Memory…`/`Redis…` pairs)."""

from bot.cache.answer_cache import AnswerCache, CachedReport, CacheKey, MemoryAnswerCache, Produced
from bot.cache.conversation_store import (
    ConversationContext,
    ConversationKey,
    ConversationStore,
    Exchange,
    MemoryConversationStore,
    RedisConversationStore,
)
from bot.cache.delivery_ledger import (
    DeliveryLedger,
    MemoryDeliveryLedger,
    PromptLedger,
    RedisDeliveryLedger,
)
from bot.cache.redis_answer_cache import RedisAnswerCache
from bot.cache.redis_backend import RedisBackend, RedisUnavailable
from bot.cache.report_codec import app_from_dict, app_to_dict, opportunity_from_dict
from bot.cache.review_cache import MemoryReviewCache, RedisReviewCache, ReviewCache
from bot.cache.user_limits import MemoryUserLimiter, RedisUserLimiter, UserLimiter, limit_message

__all__ = [
    "AnswerCache",
    "CacheKey",
    "CachedReport",
    "ConversationContext",
    "ConversationKey",
    "ConversationStore",
    "DeliveryLedger",
    "Exchange",
    "MemoryAnswerCache",
    "MemoryConversationStore",
    "MemoryDeliveryLedger",
    "MemoryReviewCache",
    "MemoryUserLimiter",
    "Produced",
    "PromptLedger",
    "RedisAnswerCache",
    "RedisBackend",
    "RedisConversationStore",
    "RedisDeliveryLedger",
    "RedisReviewCache",
    "RedisUnavailable",
    "RedisUserLimiter",
    "ReviewCache",
    "UserLimiter",
    "app_from_dict",
    "app_to_dict",
    "limit_message",
    "opportunity_from_dict",
]
