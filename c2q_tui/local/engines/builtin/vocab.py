"""The engine's general vocabulary: question keywords, synonyms and place names.

Keywords are matched on lemmas (singular, lower case). Nothing here names a table of a particular
database; synonyms attach to schema words wherever they occur.
"""

from __future__ import annotations


def _kw(spec: dict[str, list[str]]) -> dict[tuple[str, ...], str]:
    return {tuple(p.split()): kid for kid, phrases in spec.items() for p in phrases}


KEYWORDS: dict[tuple[str, ...], str] = _kw(
    {
        "COUNT": ["how many", "number of", "count", "count of", "total number of", "no of", "num of",
                  "amount of", "tally", "total count of", "count the number of", "how much"],
        "DISTINCT": ["different", "distinct", "unique", "separate"],
        "AVG": ["average", "mean", "avg", "typical"],
        "SUM": ["total", "sum", "sum of", "combined", "overall", "aggregate", "cumulative", "altogether",
                "in total"],
        "HIGH": ["highest", "largest", "biggest", "most", "greatest", "maximum", "max", "top", "best",
                 "richest", "most valuable", "oldest", "earliest", "longest", "heaviest", "most expensive",
                 "largest number of", "most number of", "highest number of", "peak"],
        "LOW": ["lowest", "smallest", "least", "fewest", "minimum", "min", "bottom", "worst",
                "cheapest", "least valuable", "youngest", "newest", "latest", "shortest", "least expensive",
                "smallest number of", "fewest number of", "lowest number of"],
        "GROUP": ["per", "by", "for each", "for every", "each", "every", "in each", "in every",
                  "broken down by", "grouped by", "group by", "split by", "breakdown by", "by each",
                  "for all", "across", "within each", "of each", "of every", "at each", "on each"],
        "ORDER": ["sorted by", "sort by", "order by", "ordered by", "ranked by", "rank by", "in order of",
                  "arranged by", "sorted on", "sort on", "ordering by", "sorted", "ordered", "ranked",
                  "sort", "order", "rank", "sorting by"],
        "ASC": ["ascending", "increasing", "asc", "alphabetical", "alphabetically", "lowest first",
                "smallest first", "oldest first", "earliest first", "a to z", "low to high",
                "from lowest to highest", "from smallest to largest", "smallest to largest",
                "lowest to highest", "least to most", "chronologically", "chronological", "in order"],
        "DESC": ["descending", "decreasing", "desc", "highest first", "largest first", "biggest first",
                 "newest first", "latest first", "most recent first", "z to a", "high to low",
                 "from highest to lowest", "from largest to smallest", "largest to smallest",
                 "highest to lowest", "most to least", "reverse", "biggest to smallest"],
        "GT": ["more than", "greater than", "over", "above", "exceeding", "exceed", "exceeds",
               "larger than", "bigger than", "higher than", "in excess of", ">", "greater", "beyond",
               "upwards of", "north of"],
        "GE": ["at least", "no less than", "no fewer than", ">=", "or more", "minimum of", "not less than"],
        "LT": ["less than", "fewer than", "under", "below", "smaller than", "lower than", "<", "beneath",
               "short of"],
        "LE": ["at most", "no more than", "up to", "<=", "or less", "or fewer", "maximum of", "not more than"],
        "EQ": ["equal to", "equals", "exactly", "=", "equal", "of exactly"],
        "BETWEEN": ["between", "from"],
        "BEFORE": ["before", "prior to", "earlier than", "until", "till", "up until", "through"],
        "AFTER": ["after", "later than", "since", "starting", "starting from", "as of", "onwards", "onward"],
        "LAST": ["last", "past", "previous", "recent", "trailing", "most recent", "latest"],
        "NOT": ["not", "except", "excluding", "other than", "outside", "apart from", "besides", "but not",
                "exclude", "aside from", "non", "isn't", "aren't", "doesn't", "don't", "without"],
        "LIST": ["list", "show", "display", "give", "find", "get", "return", "name", "tell", "provide",
                 "fetch", "retrieve", "output", "print", "select", "identify", "enumerate", "see", "view"],
        "WHICH": ["which", "what", "who", "whose", "where"],
        "SHARE": ["share", "proportion", "percentage", "distribution", "breakdown", "split", "fraction",
                  "composition", "mix", "percent"],
        "TREND": ["trend", "over time", "evolution", "history", "timeline", "evolve", "change over time"],
        "YEAR": ["year", "yearly", "annual", "annually", "per annum", "calendar year"],
        "MONTH": ["month", "monthly"],
        "DAY": ["day", "daily", "date"],
        "QUARTER": ["quarter", "quarterly"],
        "WEEK": ["week", "weekly"],
        "INSTEAD": ["instead", "rather", "instead of"],
        "ABOUT": ["what about", "how about", "and for", "same for", "same but for", "now for",
                  "what if", "and what about", "same for", "now do"],
        "ONLY": ["only", "just", "solely", "exclusively", "limit to", "restrict to", "keep only",
                 "filter to", "filtered to", "narrow to", "limited to"],
        "AND": ["and", "&", "as well as", "plus", "along with", "together with"],
        "OR": ["or", "either"],
        "WITH": ["with", "having", "that has", "that have", "who have", "whose", "containing", "that"],
        "ALSO": ["also", "too", "as well", "additionally", "add", "include", "including", "with their",
                 "along with their", "together with their", "and their", "plus their"],
        "ALL": ["all", "every single", "each and every", "everything"],
        "AGO": ["ago"],
        "TODAY": ["today", "yesterday", "now"],
        "OFTEN": ["most often", "most frequently", "most popular", "most common", "most frequent",
                  "most commonly", "popular", "frequently", "common"],
        "RARE": ["least often", "least frequently", "least popular", "least common", "rarest"],
    }
)

# Keywords that are only keywords in some positions; the grammar looks at their neighbours.
AMBIGUOUS = {("name",), ("order",), ("count",), ("select",), ("date",), ("day",), ("year",),
             ("month",), ("week",), ("quarter",), ("total",), ("last",), ("latest",), ("newest",),
             ("oldest",), ("earliest",), ("split",), ("share",), ("see",), ("mix",), ("history",),
             ("composition",), ("view",), ("from",), ("through",), ("rank",), ("sort",)}

# Words that carry no meaning for the query; anything else left unmapped fails the question.
FILLER = set(
    """a an the of in on at to for from with by is are was were be been being am do does did done have
    has had having there here that this these those it its it's they them their theirs he she his her we
    our us you your i me my mine please kindly can could would should will shall may might must let
    lets let's want wanted need needed like know tell show give me find get see look looking and or
    but so then than as if about into within across all any some every each other another such same
    also too very really just currently current now ever still already yet overall altogether
    data database record records row rows entry entries information info detail details value values
    figure figures number amount result results table tables list listing item items thing things
    many much more most less least few little lot lots one ones who whom whose which what when where why
    how whether either neither both alone together respectively available existing stored registered
    recorded known listed present exist exists existed currently total number stats statistics
    metric metrics measure measures level levels rate respective corresponding per sum
    include includes including included make makes made belonging belong belongs based base located
    headquartered situated operate operates operating trade trades traded listed quoted publicly
    held hold holds over up down out off again new old day time
    """.split()
)

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
KIND_SUFFIXES = ("code", "id", "name", "symbol", "key", "no", "nbr", "num", "number", "abbr", "iso", "txt",
                 "label", "title", "value", "amount", "usd", "count")

# Measures that "size"/"largest"/"top" refers to, in order of preference, when nothing else is said.
SIZE_MEASURES = ("market cap", "market value", "revenue", "sale", "total amount", "amount", "total",
                 "price", "employee", "population", "size", "quantity", "volume", "value", "weight")
SIZE_WORDS = {"size", "big", "bigger", "large", "larger", "small", "smaller", "sized", "valuable"}
# Measures for "richest", "most expensive" and the like.
MONEY_WORDS = ("market cap", "revenue", "price", "amount", "total", "cost", "income", "value", "sale")

US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
    "new york": "NY", "new york state": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH",
    "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI",
    "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texa": "TX", "texas": "TX",
    "utah": "UT", "vermont": "VT", "virginia": "VA", "washington state": "WA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "district of columbia": "DC",
}
COUNTRIES = {
    "united states": "US", "united states of america": "US", "usa": "US", "america": "US", "u.s.": "US",
    "u.s.a.": "US", "american": "US", "us-based": "US", "united kingdom": "GB", "uk": "GB", "britain": "GB",
    "great britain": "GB", "england": "GB", "british": "GB", "ireland": "IE", "irish": "IE",
    "canada": "CA", "canadian": "CA", "germany": "DE", "german": "DE", "france": "FR", "french": "FR",
    "netherlands": "NL", "holland": "NL", "dutch": "NL", "switzerland": "CH", "swiss": "CH",
    "japan": "JP", "japanese": "JP", "china": "CN", "chinese": "CN", "india": "IN", "indian": "IN",
    "brazil": "BR", "mexico": "MX", "spain": "ES", "spanish": "ES", "italy": "IT", "italian": "IT",
    "australia": "AU", "australian": "AU", "sweden": "SE", "norway": "NO", "denmark": "DK",
    "finland": "FI", "belgium": "BE", "austria": "AT", "singapore": "SG", "south korea": "KR",
    "korea": "KR", "taiwan": "TW", "israel": "IL", "bermuda": "BM", "luxembourg": "LU",
    "poland": "PL", "portugal": "PT", "new zealand": "NZ", "argentina": "AR", "south africa": "ZA",
    "hong kong": "HK", "jersey": "JE", "curacao": "CW", "cayman islands": "KY", "greece": "GR",
    "turkey": "TR", "russia": "RU", "indonesia": "ID", "thailand": "TH", "vietnam": "VN",
    "philippines": "PH", "malaysia": "MY", "chile": "CL", "colombia": "CO", "peru": "PE",
    "egypt": "EG", "nigeria": "NG", "kenya": "KE", "czech republic": "CZ", "czechia": "CZ",
    "hungary": "HU", "romania": "RO", "ukraine": "UA", "saudi arabia": "SA", "uae": "AE",
    "united arab emirates": "AE",
}
PLACE_CODE_COLUMNS = ("state", "country", "region", "province", "nation")
