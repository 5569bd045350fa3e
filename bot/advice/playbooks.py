"""What we know about building in each App Store category, for rule-based advice.

Plain data: improvement angles, the monetization that works, typical v1 effort, a stack, the
hard parts and recurring market gaps. Categories use Apple's English genre names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Playbook:
    improvements: tuple[str, ...]
    monetization: str
    weeks: tuple[int, int]  # a solo developer's v1, low–high
    stack: str
    hard_parts: tuple[str, ...]
    gaps: tuple[str, ...]


GENERIC = Playbook(
    improvements=(
        "Read the 1–2★ reviews of the leaders and fix the three most common complaints first",
        "Cut onboarding to one screen and make the core task work offline",
        "Add the iOS features leaders skip: widgets, Shortcuts, Live Activities, dark mode",
    ),
    monetization="Freemium with a subscription (about $2.99/month or $19.99/year) "
    "and a one-time lifetime option for users who dislike subscriptions",
    weeks=(6, 12),
    stack="SwiftUI, SwiftData, StoreKit 2, CloudKit sync, TelemetryDeck or similar analytics",
    hard_parts=("Standing out in search: invest in App Store keywords and screenshots early",),
    gaps=(
        "Privacy-first alternatives: no account, no tracking, data stays on device",
        "Accessibility: large type, VoiceOver and colour-blind-safe designs are rare",
        "Apple Watch and iPad versions that are designed, not stretched",
    ),
)

PLAYBOOKS: dict[str, Playbook] = {
    "Utilities": Playbook(
        improvements=(
            "Remove ads from the core action; utilities are judged on speed",
            "Offer history, widgets and a Control Center or Shortcuts action",
            "Cover power-user needs (units, precision, export) behind a clean default screen",
        ),
        monetization="Free with a one-time Pro unlock ($2.99–$6.99); subscriptions "
        "annoy utility users unless there is ongoing sync or content",
        weeks=(3, 6),
        stack="SwiftUI, WidgetKit, App Intents for Shortcuts, StoreKit 2",
        hard_parts=("Discoverability in a crowded category: own a niche keyword",),
        gaps=(
            "Ad-free, privacy-respecting versions of everyday tools",
            "Tools that work across iPhone, iPad, Mac and Watch with sync",
            "Niche professional variants (engineering, finance, medical calculators)",
        ),
    ),
    "Productivity": Playbook(
        improvements=(
            "Fast capture: a widget, share extension and Siri shortcut to add in one tap",
            "Reliable sync across iPhone, iPad and Mac without an account",
            "Import from the leader so switching costs nothing",
        ),
        monetization="Freemium; subscription ($3.99–$7.99/month) for sync and "
        "collaboration, core features free",
        weeks=(8, 16),
        stack="SwiftUI, SwiftData + CloudKit, App Intents, WidgetKit, StoreKit 2",
        hard_parts=("Conflict-free sync across devices", "Importers for competitors' formats"),
        gaps=(
            "Tools for one profession (contractors, teachers, nurses) instead of everyone",
            "Local-first apps with end-to-end encrypted sync",
            "Simpler alternatives to bloated all-in-one workspaces",
        ),
    ),
    "Health & Fitness": Playbook(
        improvements=(
            "Integrate HealthKit both ways and show progress users can feel",
            "Adaptive plans instead of fixed programmes",
            "Apple Watch first: log without taking the phone out",
        ),
        monetization="Subscription ($9.99/month, $59.99/year) with a 7-day trial; "
        "free tier for basic tracking",
        weeks=(8, 14),
        stack="SwiftUI, HealthKit, WatchKit, Core Motion, CloudKit, StoreKit 2",
        hard_parts=(
            "Watch app and background sync",
            "Content (plans, videos) costs more than code",
        ),
        gaps=(
            "Programmes for specific groups (seniors, pregnancy, rehab, shift workers)",
            "Habit apps that survive week three: streak-free, forgiving design",
            "Privacy-first health tracking without an account",
        ),
    ),
    "Photo & Video": Playbook(
        improvements=(
            "Real-time previews of edits, non-destructive history",
            "One-tap presets for the formats people post (Reels, Shorts, Stories)",
            "No watermark on free exports, or a cheap way to remove it",
        ),
        monetization="Subscription for premium filters and AI tools ($4.99/month), "
        "plus a lifetime option",
        weeks=(8, 16),
        stack="SwiftUI, AVFoundation, Core Image, Metal for custom filters, PhotoKit",
        hard_parts=("GPU performance and memory with large photos and 4K video",),
        gaps=(
            "Editing for a single niche (product photos, real estate, pets)",
            "Privacy-respecting AI editing done on device",
            "Simple video editors for older or less technical users",
        ),
    ),
    "Finance": Playbook(
        improvements=(
            "Manual entry that takes two taps, bank sync optional",
            "Clear forecasts (what is left until payday), not just charts",
            "Shared budgets for couples and households",
        ),
        monetization="Subscription ($4.99–$9.99/month); users pay for trust, so no ads",
        weeks=(10, 18),
        stack="SwiftUI, SwiftData, CloudKit, a bank-data aggregator API, StoreKit 2",
        hard_parts=("Bank connections and their cost", "Security reviews and user trust"),
        gaps=(
            "Budgeting for irregular incomes (freelancers, gig workers)",
            "Money apps for teens and families",
            "Local-first finance with no bank credentials shared",
        ),
    ),
    "Games": Playbook(
        improvements=(
            "Respect the player: fewer interstitials, fair progression",
            "Daily challenges and Game Center leaderboards for retention",
            "Offline play and short sessions",
        ),
        monetization="Free with rewarded ads plus a one-time 'remove ads', or premium "
        "$2.99–$4.99 for puzzle and casual games",
        weeks=(8, 20),
        stack="SpriteKit or Unity, Game Center, StoreKit 2, an ads SDK if ad-funded",
        hard_parts=("Game feel and level design take iteration", "User acquisition cost"),
        gaps=(
            "Premium, ad-free versions of classic casual games",
            "Brain games for older adults",
            "Cosy games without manipulative monetization",
        ),
    ),
    "Education": Playbook(
        improvements=(
            "Spaced repetition and short daily sessions",
            "Progress teachers or parents can see",
            "Offline content and accessibility for younger learners",
        ),
        monetization="Subscription ($6.99–$12.99/month) or school licences; free starter lessons",
        weeks=(8, 16),
        stack="SwiftUI, SwiftData, AVFoundation for audio, CloudKit, StoreKit 2",
        hard_parts=("Producing good content", "Kids-category privacy rules if aimed at children"),
        gaps=(
            "Exam preparation for specific certifications",
            "Learning tools for adults returning to study",
            "Languages and subjects the big apps ignore",
        ),
    ),
    "Social Networking": Playbook(
        improvements=(
            "A clear niche community with moderation built in",
            "Privacy controls users understand",
            "Fast, reliable notifications and media uploads",
        ),
        monetization="Free; premium membership or creator subscriptions once there is a community",
        weeks=(16, 30),
        stack="SwiftUI, a hosted backend (auth, database, storage), APNs, moderation tools",
        hard_parts=("Network effects: an empty app is worthless", "Moderation and abuse"),
        gaps=(
            "Communities for specific interests or local areas",
            "Social apps for close friends only, no public feed",
            "Safer social spaces for teens",
        ),
    ),
    "Music": Playbook(
        improvements=(
            "Low-latency audio and a practice mode",
            "Works with headphones, MIDI and AirPods gestures",
            "Offline use",
        ),
        monetization="Freemium; subscription for lessons or content ($7.99/month)",
        weeks=(8, 16),
        stack="SwiftUI, AVAudioEngine, Core MIDI, StoreKit 2",
        hard_parts=("Audio latency and background audio",),
        gaps=("Tools for one instrument or genre", "Practice tracking for music students"),
    ),
    "Weather": Playbook(
        improvements=(
            "Hyper-local alerts people can tune",
            "Widgets and Live Activities for rain and storms",
            "Clear, ad-light design",
        ),
        monetization="Free with a subscription for radar, alerts and no ads ($1.99/month)",
        weeks=(4, 8),
        stack="SwiftUI, WeatherKit, WidgetKit, MapKit",
        hard_parts=("Data costs per call", "Reliable background alerts"),
        gaps=("Weather for an activity (surf, ski, farming, drones)",),
    ),
    "Food & Drink": Playbook(
        improvements=(
            "Import recipes from any site; cook mode that keeps the screen on",
            "Meal plans that create a shopping list",
            "Dietary filters that actually work",
        ),
        monetization="Freemium; subscription for meal plans ($4.99/month)",
        weeks=(6, 12),
        stack="SwiftUI, SwiftData, CloudKit, a recipe-parsing service",
        hard_parts=("Parsing recipes from messy web pages",),
        gaps=("Meal planning for specific diets or budgets", "Family cooking with kids"),
    ),
    "Travel": Playbook(
        improvements=(
            "Offline itineraries and maps",
            "One place for bookings imported from email",
            "Shared trips for groups",
        ),
        monetization="Free with affiliate revenue, or a Pro subscription for offline and sharing",
        weeks=(8, 14),
        stack="SwiftUI, MapKit, CloudKit sharing, email parsing",
        hard_parts=("Booking data from many providers",),
        gaps=("Planning for a travel style (van life, accessibility, family)",),
    ),
    "Lifestyle": Playbook(
        improvements=(
            "Personalisation from the first session",
            "Widgets and reminders that feel gentle",
            "A beautiful, calm design",
        ),
        monetization="Subscription ($3.99–$6.99/month) with a generous free tier",
        weeks=(5, 10),
        stack="SwiftUI, SwiftData, WidgetKit, StoreKit 2",
        hard_parts=("Retention beyond the first week",),
        gaps=("Apps for a specific life stage (new parents, retirees, students)",),
    ),
}

# Words in an app's name that give its category away, for when the App Store is not asked.
_NAME_HINTS: tuple[tuple[str, str], ...] = (
    (
        r"calculat|convert|scanner|qr|vpn|flashlight|timer|clock|battery|cleaner|keyboard",
        "Utilities",
    ),
    (r"todo|to-do|task|note|calendar|pdf|document|planner|email|mail", "Productivity"),
    (r"workout|fitness|yoga|running|step|diet|calorie|meditat|sleep|habit|gym", "Health & Fitness"),
    (r"photo|camera|video|editor|filter|collage|selfie", "Photo & Video"),
    (r"budget|bank|money|expense|invest|crypto|tax|wallet|finance", "Finance"),
    (r"learn|language|math|quiz|flashcard|study|school|course", "Education"),
    (r"chat|messenger|social|dating|friends", "Social Networking"),
    (r"music|radio|podcast|guitar|piano|tuner|metronome", "Music"),
    (r"weather|forecast|rain|radar", "Weather"),
    (r"recipe|meal|cook|food|restaurant|grocer", "Food & Drink"),
    (r"travel|flight|hotel|trip", "Travel"),
    (r"game|puzzle|chess|solitaire|sudoku|poker", "Games"),
)


def category_guessed_from(app_name: str) -> str | None:
    """A category guessed from words in an app's name, or None."""
    folded = app_name.casefold()
    for pattern, category in _NAME_HINTS:
        if re.search(rf"\b(?:{pattern})", folded):
            return category
    return None


def playbook_for(category: str | None) -> Playbook:
    return PLAYBOOKS.get(category or "", GENERIC)
