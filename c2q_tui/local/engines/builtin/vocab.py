"""The engine's general vocabulary: question keywords, synonyms and place names.

Keywords are matched on lemmas (singular, lower case). Nothing here names a table of a particular
database; synonyms attach to schema words wherever they occur.
"""

from __future__ import annotations

# fmt: off


def _kw(spec: dict[str, list[str]]) -> dict[tuple[str, ...], str]:
    return {tuple(p.split()): kid for kid, phrases in spec.items() for p in phrases}


def _words(text: str) -> set[str]:
    return set(text.split())


KEYWORDS: dict[tuple[str, ...], str] = _kw({
    "COUNT": [
        "how many", "number of", "count", "count of", "total number of", "no of", "num of", "amount of",
        "tally", "total count of", "count the number of", "how much",
    ],
    "DISTINCT": [
        "different", "distinct", "unique", "separate",
    ],
    "AVG": [
        "average", "mean", "avg", "typical",
    ],
    "SUM": [
        "total", "sum", "sum of", "combined", "overall", "aggregate", "cumulative", "altogether",
        "in total",
    ],
    "HIGH": [
        "highest", "largest", "biggest", "most", "greatest", "maximum", "max", "top", "best", "richest",
        "most valuable", "longest", "heaviest", "most expensive", "largest number of", "most number of",
        "highest number of", "peak",
    ],
    "LOW": [
        "lowest", "smallest", "least", "fewest", "minimum", "min", "bottom", "worst", "cheapest",
        "least valuable", "shortest", "least expensive", "smallest number of", "fewest number of",
        "lowest number of",
    ],
    "OLD": [
        "oldest", "earliest", "first ever",
    ],
    "NEW": [
        "newest", "youngest", "most recent", "latest", "most recently",
    ],
    "GROUP": [
        "per", "by", "for each", "for every", "each", "every", "in each", "in every", "broken down by",
        "grouped by", "group by", "split by", "breakdown by", "by each", "for all", "across", "within each",
        "of each", "of every", "at each", "on each",
    ],
    "ORDER": [
        "sorted by", "sort by", "order by", "ordered by", "ranked by", "rank by", "in order of",
        "arranged by", "sorted on", "sort on", "ordering by", "sorted", "ordered", "ranked", "sort",
        "order", "rank", "sorting by",
    ],
    "ASC": [
        "ascending", "increasing", "asc", "alphabetical", "alphabetically", "lowest first",
        "smallest first", "oldest first", "earliest first", "a to z", "low to high",
        "from lowest to highest", "from smallest to largest", "smallest to largest", "lowest to highest",
        "least to most", "chronologically", "chronological", "in order",
    ],
    "DESC": [
        "descending", "decreasing", "desc", "highest first", "largest first", "biggest first",
        "newest first", "latest first", "most recent first", "z to a", "high to low",
        "from highest to lowest", "from largest to smallest", "largest to smallest", "highest to lowest",
        "most to least", "reverse", "biggest to smallest",
    ],
    "GT": [
        "more than", "greater than", "over", "above", "more expensive than", "pricier than",
        "costlier than", "exceeding", "exceed", "exceeds", "larger than", "bigger than", "higher than",
        "in excess of", ">", "greater", "beyond", "upwards of", "north of",
    ],
    "GE": [
        "at least", "no less than", "no fewer than", ">=", "or more", "minimum of", "not less than",
    ],
    "LT": [
        "less than", "fewer than", "under", "below", "cheaper than", "less expensive than", "smaller than",
        "lower than", "<", "beneath", "short of",
    ],
    "LE": [
        "at most", "no more than", "up to", "<=", "or less", "or fewer", "maximum of", "not more than",
    ],
    "EQ": [
        "equal to", "equals", "exactly", "=", "equal", "of exactly",
    ],
    "BETWEEN": [
        "between", "from",
    ],
    "BEFORE": [
        "before", "prior to", "earlier than", "until", "till", "up until", "through",
    ],
    "AFTER": [
        "after", "later than", "since", "starting", "starting from", "as of", "onwards", "onward",
    ],
    "LAST": [
        "last", "past", "previous", "trailing",
    ],
    "NOT": [
        "not", "except", "excluding", "other than", "outside", "apart from", "besides", "but not",
        "exclude", "aside from", "non", "isn't", "aren't", "doesn't", "don't", "without",
    ],
    "LIST": [
        "list", "show", "display", "give", "find", "get", "return", "name", "tell", "provide", "fetch",
        "retrieve", "output", "print", "select", "identify", "enumerate", "see", "view",
    ],
    "WHICH": [
        "which", "what", "who", "where",
    ],
    "WITH": [
        "whose", "with", "having", "that has", "that have", "who have", "containing", "that",
    ],
    "SHARE": [
        "share", "proportion", "percentage", "distribution", "breakdown", "split", "fraction",
        "composition", "mix", "percent",
    ],
    "TREND": [
        "trend", "over time", "evolution", "history", "timeline", "evolve", "change over time",
    ],
    "YEAR": [
        "year", "yearly", "annual", "annually", "per annum", "calendar year",
    ],
    "MONTH": [
        "month", "monthly",
    ],
    "DAY": [
        "day", "daily", "date",
    ],
    "QUARTER": [
        "quarter", "quarterly",
    ],
    "WEEK": [
        "week", "weekly",
    ],
    "COMPARE": [
        "compare", "comparison", "comparing", "versus", "vs", "vs.", "compared to", "compared with",
        "against",
    ],
    "MORE": ["more"],
    "FEWER": ["fewer", "less"],
    "INSTEAD": [
        "instead", "rather", "instead of",
    ],
    "ABOUT": [
        "what about", "how about", "and for", "same for", "same but for", "now for", "what if",
        "and what about", "now do",
    ],
    "ONLY": [
        "only", "just", "solely", "exclusively", "limit to", "restrict to", "keep only", "filter to",
        "filtered to", "narrow to", "limited to",
    ],
    "AND": [
        "and", "&", "as well as", "plus", "along with", "together with",
    ],
    "OR": [
        "or", "either",
    ],
    "ALSO": [
        "also", "too", "as well", "additionally", "add", "include", "including", "with their",
        "along with their", "together with their", "and their", "plus their",
    ],
    "ALL": [
        "all", "every single", "each and every", "everything",
    ],
    "AGO": [
        "ago",
    ],
    "TODAY": [
        "today", "yesterday", "now",
    ],
    "OFTEN": [
        "most often", "most frequently", "most popular", "most common", "most frequent", "most commonly",
        "popular", "frequently", "common",
    ],
    "RARE": [
        "least often", "least frequently", "least popular", "least common", "rarest",
    ],
})

# Keywords that are only keywords in some positions; the grammar looks at their neighbours.
AMBIGUOUS = {
    ("composition",), ("count",), ("date",), ("day",), ("earliest",), ("from",), ("history",), ("last",),
    ("latest",), ("mix",), ("month",), ("name",), ("newest",), ("oldest",), ("order",), ("quarter",),
    ("rank",), ("see",), ("select",), ("share",), ("sort",), ("split",), ("through",), ("total",),
    ("view",), ("week",), ("year",),
}

# Words that carry no meaning for the query; anything else left unmapped fails the question.
FILLER = _words("""
among amongst

a about across again all alone already also altogether am amount an and another any appear appeared
appears approximately are around as at available base based be been being belong belonging belongs both
bought but buy buys by came can carried carries carry come comes coming corresponding could current
currently data database day deal deals detail details did do does done down each either entries entry
ever every exactly exist existed existing exists few figure figures find for from get give given go goes
got had handle handled handles handling has have having he headquartered held her here his hold holds
how hows i if in include included includes including info information into is it it's item items its
just kindly know known least less let let's lets level levels like list listed listing little located
look looking lot lots made make makes many may me measure measures metric metrics might mine more most
much must my need needed neither new now number of off offer offered offers old on one ones operate
operates operating or other our out over overall per please present provide provided provides publicly
quoted rate really receive received record recorded records registered represent represented represents
respective respectively result results right roughly row rows same see sell selling sells shall she
should show shown situated so sold some statistics stats still stored such sum supplied supplies supply
table tables take takes tell than that the their theirs them then there there's these they thing things
this those time to today together too took total trade traded trades up us value values very want wanted
was we went were what what's whats when where where's whether which who who's whom whose why will with
within work worked works would yet you your
""")

# Synonym groups over lemmas. A schema word (or phrase) in a group is also reachable by the others.
SYNONYMS: list[tuple[str, ...]] = [
    ("revenue", "sale", "turnover", "top line", "income statement revenue"),
    ("employee", "staff", "headcount", "workforce", "personnel", "worker", "employee count",
     "number of employee", "head count", "staff count", "employee number"),
    ("market cap", "market capitalization", "market capitalisation", "market value", "valuation",
     "capitalization", "capitalisation", "worth", "mkt cap", "marketcap", "market size", "cap"),
    ("net income", "profit", "earnings", "net profit", "bottom line", "net earning", "income"),
    ("founded year", "founding year", "year founded", "founded", "established", "inception",
     "year of founding", "foundation year", "year established", "founding", "founding date"),
    ("company", "firm", "business", "corporation", "enterprise", "stock", "issuer", "organization",
     "organisation", "constituent company"),
    ("customer", "client", "buyer", "shopper", "consumer", "purchaser"),
    ("product", "item", "article", "good", "merchandise", "sku"),
    ("order", "purchase"),
    ("price", "cost", "unit price", "list price", "selling price"),
    ("quantity", "qty", "unit", "units", "number of unit", "quantity ordered"),
    ("city", "town", "municipality"),
    ("state", "province", "us state"),
    ("country", "nation", "nationality"),
    ("email", "e-mail", "mail", "email address", "e-mail address"),
    ("symbol", "ticker", "ticker symbol", "stock symbol", "code"),
    ("exchange", "stock exchange", "listing exchange", "market"),
    ("selection", "select", "pick", "choice", "watchlist", "chose", "selected", "picked", "chosen",
     "favorite", "favourite", "follow", "followed"),
    ("composition", "member", "membership", "constituent", "component", "holding"),
    ("index", "indice", "benchmark"),
    ("quote", "price history", "stock price", "quote history", "trading day", "daily price"),
    ("close", "closing price", "close price", "closing", "closing value", "price at close"),
    ("open", "opening price", "open price", "opening"),
    ("high", "daily high", "high price", "intraday high"),
    ("low", "daily low", "low price", "intraday low"),
    ("volume", "trading volume", "shares traded", "traded volume"),
    ("supplier", "vendor", "provider", "manufacturer"),
    ("shipment", "delivery", "shipping", "consignment"),
    ("carrier", "shipper", "courier"),
    ("category", "type", "kind", "product category", "department"),
    ("signup date", "sign up date", "registration date", "join date", "signup", "sign up", "signed up",
     "joined", "registered", "registration", "date joined"),
    ("user", "member user", "account", "investor"),
    ("username", "user name", "handle", "login"),
    ("weight", "weighting", "index weight"),
    ("added date", "date added", "added", "inclusion date", "joined index"),
    ("industry", "sub industry", "line of business"),
    ("sector", "industry sector", "gics sector"),
    ("status", "state of order", "order status"),
    ("stock", "inventory", "stock level", "units in stock"),
    ("amount", "total amount", "value", "sum"),
    ("discount", "rebate", "markdown"),
    ("rating", "score", "stars", "review score"),
    ("birth date", "date of birth", "birthday", "dob"),
    ("created at", "creation date", "created", "signup date"),
    ("age", "years old"),
    ("segment", "tier", "customer segment"),
    ("shipped date", "ship date", "shipped", "date shipped", "shipped at", "dispatch date"),
    ("delivered date", "delivery date", "delivered", "date delivered", "delivered at"),
    ("order date", "ordered at", "date ordered", "purchase date", "placed"),
    ("cost", "unit cost", "purchase price", "buy price"),
    ("first name", "given name", "forename"),
    ("last name", "surname", "family name"),
]

# Column-name abbreviations expanded before synonyms apply.
ABBREVIATIONS = {
    "qty": "quantity", "amt": "amount", "num": "number", "cnt": "count", "desc": "description",
    "dt": "date", "addr": "address", "pct": "percent", "cust": "customer", "prod": "product",
    "cat": "category", "emp": "employee", "mkt": "market", "cap": "cap", "yr": "year", "ts": "time",
    "dob": "birth date", "tel": "phone", "no": "number", "nbr": "number", "id": "id",
}

# Suffixes that name the kind of a column rather than what it holds: "state_code" is the state.
KIND_SUFFIXES = (
    "code", "id", "name", "symbol", "key", "no", "nbr", "num", "number", "abbr", "iso", "txt", "label",
    "title", "value", "amount", "usd", "count",
)
# Measures that "size"/"largest"/"top" refers to, in order of preference, when nothing else is said.
SIZE_MEASURES = (
    "market cap", "market value", "revenue", "sale", "total amount", "amount", "total", "price", "employee",
    "population", "size", "quantity", "volume", "value", "weight",
)

# Place names that data usually stores as codes (or under another name, matched through the code).
US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
    "new york": "NY", "new york state": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH",
    "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC",
    "south dakota": "SD", "tennessee": "TN", "texa": "TX", "texas": "TX", "utah": "UT", "vermont": "VT",
    "virginia": "VA", "washington state": "WA", "washington": "WA", "west virginia": "WV",
    "wisconsin": "WI", "wyoming": "WY", "district of columbia": "DC",
}

COUNTRIES = {
    "united states": "US", "united states of america": "US", "usa": "US", "america": "US", "u.s.": "US",
    "u.s.a.": "US", "american": "US", "us-based": "US", "united kingdom": "GB", "uk": "GB", "britain": "GB",
    "great britain": "GB", "england": "GB", "british": "GB", "ireland": "IE", "irish": "IE", "canada": "CA",
    "canadian": "CA", "germany": "DE", "german": "DE", "france": "FR", "french": "FR", "netherlands": "NL",
    "holland": "NL", "dutch": "NL", "switzerland": "CH", "swiss": "CH", "japan": "JP", "japanese": "JP",
    "china": "CN", "chinese": "CN", "india": "IN", "indian": "IN", "brazil": "BR", "mexico": "MX",
    "spain": "ES", "spanish": "ES", "italy": "IT", "italian": "IT", "australia": "AU", "australian": "AU",
    "sweden": "SE", "norway": "NO", "denmark": "DK", "finland": "FI", "belgium": "BE", "austria": "AT",
    "singapore": "SG", "south korea": "KR", "korea": "KR", "taiwan": "TW", "israel": "IL", "bermuda": "BM",
    "luxembourg": "LU", "poland": "PL", "portugal": "PT", "new zealand": "NZ", "argentina": "AR",
    "south africa": "ZA", "hong kong": "HK", "jersey": "JE", "curacao": "CW", "cayman islands": "KY",
    "greece": "GR", "turkey": "TR", "russia": "RU", "indonesia": "ID", "thailand": "TH", "vietnam": "VN",
    "philippines": "PH", "malaysia": "MY", "chile": "CL", "colombia": "CO", "peru": "PE", "egypt": "EG",
    "nigeria": "NG", "kenya": "KE", "czech republic": "CZ", "czechia": "CZ", "hungary": "HU",
    "romania": "RO", "ukraine": "UA", "saudi arabia": "SA", "uae": "AE", "united arab emirates": "AE",
}

PLACE_CODE_COLUMNS = ("state", "country", "region", "province", "nation")
# fmt: on
