"""Facts behind the `sp500insight` sample database: real S&P 500 companies and index memberships.

Names, GICS sectors and industries (the 2023 GICS structure), headquarters, exchanges and founding
years are real. Money figures are approximate recent values (latest fiscal year as of early 2025, and a
late-2024 market capitalisation), given here in billions of US dollars and stored by `sample.py` as
whole dollars. The two prices per company are approximate split-adjusted closes at the end of 2022 and
at the end of 2024; the synthetic daily quotes walk from one to the other.

"Founded" is the year in the company's own infobox; for companies formed by a merger or spin-off it is
the year of that event (JPMorgan Chase 2000, Exxon Mobil 1999, ConocoPhillips 2002, AbbVie 2013).
"""

from __future__ import annotations

from typing import NamedTuple

IT = "Information Technology"
HC = "Health Care"
FIN = "Financials"
CD = "Consumer Discretionary"
CS = "Consumer Staples"
COM = "Communication Services"
IND = "Industrials"
EN = "Energy"
UT = "Utilities"
RE = "Real Estate"
MAT = "Materials"

SECTORS: tuple[str, ...] = (IT, HC, FIN, CD, COM, IND, CS, EN, UT, RE, MAT)

_SEMI = "Semiconductors & Semiconductor Equipment"
_SOFT = "Software"
_HW = "Technology Hardware, Storage & Peripherals"
_ITS = "IT Services"
_PHARMA = "Pharmaceuticals"
_BIO = "Biotechnology"
_HCE = "Health Care Equipment & Supplies"
_HCP = "Health Care Providers & Services"
_LST = "Life Sciences Tools & Services"
_OIL = "Oil, Gas & Consumable Fuels"
_HRL = "Hotels, Restaurants & Leisure"
_SPR = "Specialty Retail"
_CSDR = "Consumer Staples Distribution & Retail"
_AD = "Aerospace & Defense"
_ELU = "Electric Utilities"
_SPREIT = "Specialized REITs"


class CompanyRow(NamedTuple):
    symbol: str
    name: str
    exchange: str  # "NASDAQ" or "NYSE"
    sector: str
    industry: str
    city: str
    state: str | None  # two-letter US state (DC for Washington, D.C.); None outside the US
    country: str  # ISO 3166-1 alpha-2
    founded: int
    employees: int
    market_cap_b: float  # billions of USD
    revenue_b: float
    net_income_b: float
    sp500_added: str  # ISO date the company (or its predecessor listing) joined the S&P 500
    price_start: float  # approximate close at the end of 2022 (split-adjusted)
    price_end: float  # approximate close on 2024-12-31


# fmt: off
COMPANIES: tuple[CompanyRow, ...] = tuple(CompanyRow(*row) for row in (
    # Information Technology
    ("AAPL", "Apple Inc.", "NASDAQ", IT, _HW, "Cupertino", "CA", "US", 1976, 164000,
     3400, 391.04, 93.74, "1982-11-30", 129.93, 250.42),
    ("MSFT", "Microsoft Corporation", "NASDAQ", IT, _SOFT, "Redmond", "WA", "US", 1975, 228000,
     3130, 245.12, 88.14, "1994-06-01", 239.82, 421.50),
    ("NVDA", "NVIDIA Corporation", "NASDAQ", IT, _SEMI, "Santa Clara", "CA", "US", 1993, 36000,
     3290, 130.50, 72.88, "2001-11-30", 14.61, 134.29),
    ("AVGO", "Broadcom Inc.", "NASDAQ", IT, _SEMI, "Palo Alto", "CA", "US", 1961, 37000,
     1090, 51.57, 5.90, "2014-05-08", 55.91, 231.84),
    ("ORCL", "Oracle Corporation", "NYSE", IT, _SOFT, "Austin", "TX", "US", 1977, 162000,
     467, 52.96, 10.47, "1989-08-31", 81.74, 166.64),
    ("CRM", "Salesforce, Inc.", "NYSE", IT, _SOFT, "San Francisco", "CA", "US", 1999, 76453,
     320, 37.90, 6.20, "2008-09-15", 132.59, 334.33),
    ("AMD", "Advanced Micro Devices, Inc.", "NASDAQ", IT, _SEMI, "Santa Clara", "CA", "US", 1969, 28000,
     196, 25.79, 1.64, "2017-03-20", 64.77, 120.79),
    ("ADBE", "Adobe Inc.", "NASDAQ", IT, _SOFT, "San Jose", "CA", "US", 1982, 30709,
     194, 21.51, 5.56, "1997-05-05", 336.53, 444.68),
    ("CSCO", "Cisco Systems, Inc.", "NASDAQ", IT, "Communications Equipment", "San Jose", "CA", "US", 1984,
     90400, 236, 53.80, 10.32, "1993-12-01", 47.64, 59.20),
    ("ACN", "Accenture plc", "NYSE", IT, _ITS, "Dublin", None, "IE", 1989, 774000,
     220, 64.90, 7.26, "2011-07-06", 266.84, 351.79),
    ("IBM", "International Business Machines Corporation", "NYSE", IT, _ITS, "Armonk", "NY", "US", 1911,
     270300, 203, 62.75, 6.02, "1957-03-04", 140.89, 219.83),
    ("INTU", "Intuit Inc.", "NASDAQ", IT, _SOFT, "Mountain View", "CA", "US", 1983, 18800,
     176, 16.29, 2.96, "2000-12-05", 389.22, 628.50),
    ("QCOM", "QUALCOMM Incorporated", "NASDAQ", IT, _SEMI, "San Diego", "CA", "US", 1985, 49000,
     171, 38.96, 10.14, "1999-07-22", 109.94, 153.62),
    ("TXN", "Texas Instruments Incorporated", "NASDAQ", IT, _SEMI, "Dallas", "TX", "US", 1930, 34000,
     171, 15.64, 4.80, "1957-03-04", 165.22, 187.51),
    ("AMAT", "Applied Materials, Inc.", "NASDAQ", IT, _SEMI, "Santa Clara", "CA", "US", 1967, 35700,
     134, 27.18, 7.18, "1995-03-16", 97.38, 162.63),
    ("MU", "Micron Technology, Inc.", "NASDAQ", IT, _SEMI, "Boise", "ID", "US", 1978, 48000,
     94, 25.11, 0.78, "1994-09-27", 49.98, 84.16),
    ("INTC", "Intel Corporation", "NASDAQ", IT, _SEMI, "Santa Clara", "CA", "US", 1968, 108900,
     87, 53.10, -18.76, "1976-12-31", 26.43, 20.05),
    ("PANW", "Palo Alto Networks, Inc.", "NASDAQ", IT, _SOFT, "Santa Clara", "CA", "US", 2005, 15758,
     120, 8.03, 2.58, "2023-06-20", 69.77, 181.96),
    ("CRWD", "CrowdStrike Holdings, Inc.", "NASDAQ", IT, _SOFT, "Austin", "TX", "US", 2011, 10118,
     84, 3.95, -0.02, "2024-06-24", 105.29, 342.16),
    ("NOW", "ServiceNow, Inc.", "NYSE", IT, _SOFT, "Santa Clara", "CA", "US", 2004, 26293,
     218, 10.98, 1.43, "2019-11-21", 388.27, 1060.12),
    ("PLTR", "Palantir Technologies Inc.", "NASDAQ", IT, _SOFT, "Denver", "CO", "US", 2003, 3936,
     177, 2.87, 0.46, "2024-09-23", 6.42, 75.63),
    ("DELL", "Dell Technologies Inc.", "NYSE", IT, _HW, "Round Rock", "TX", "US", 1984, 108000,
     80, 95.57, 4.59, "2024-09-23", 40.22, 115.24),
    # Communication Services
    ("GOOGL", "Alphabet Inc.", "NASDAQ", COM, "Interactive Media & Services", "Mountain View", "CA", "US",
     1998, 183323, 2330, 350.02, 100.12, "2006-04-03", 88.23, 189.30),
    ("META", "Meta Platforms, Inc.", "NASDAQ", COM, "Interactive Media & Services", "Menlo Park", "CA", "US",
     2004, 74067, 1480, 164.50, 62.36, "2013-12-23", 120.34, 585.51),
    ("NFLX", "Netflix, Inc.", "NASDAQ", COM, "Entertainment", "Los Gatos", "CA", "US", 1997, 14000,
     381, 39.00, 8.71, "2010-12-20", 294.88, 891.32),
    ("DIS", "The Walt Disney Company", "NYSE", COM, "Entertainment", "Burbank", "CA", "US", 1923, 233000,
     202, 91.36, 4.97, "1976-06-30", 86.88, 111.35),
    ("CMCSA", "Comcast Corporation", "NASDAQ", COM, "Media", "Philadelphia", "PA", "US", 1963, 182000,
     144, 123.73, 16.19, "2002-11-18", 34.97, 37.53),
    ("T", "AT&T Inc.", "NYSE", COM, "Diversified Telecommunication Services", "Dallas", "TX", "US", 1983,
     140990, 163, 122.34, 10.95, "1983-11-30", 18.41, 22.77),
    ("VZ", "Verizon Communications Inc.", "NYSE", COM, "Diversified Telecommunication Services", "New York",
     "NY", "US", 1983, 99600, 168, 134.79, 17.51, "1983-11-30", 39.40, 39.99),
    ("TMUS", "T-Mobile US, Inc.", "NASDAQ", COM, "Wireless Telecommunication Services", "Bellevue", "WA",
     "US", 1994, 70000, 256, 81.40, 11.34, "2019-07-15", 140.00, 220.73),
    ("EA", "Electronic Arts Inc.", "NASDAQ", COM, "Entertainment", "Redwood City", "CA", "US", 1982, 14500,
     38, 7.56, 1.27, "2002-07-22", 122.18, 146.30),
    ("CHTR", "Charter Communications, Inc.", "NASDAQ", COM, "Media", "Stamford", "CT", "US", 1993, 94500,
     49, 55.09, 5.08, "2016-09-08", 339.10, 342.77),
    # Consumer Discretionary
    ("AMZN", "Amazon.com, Inc.", "NASDAQ", CD, "Broadline Retail", "Seattle", "WA", "US", 1994, 1556000,
     2310, 637.96, 59.25, "2005-11-18", 84.00, 219.39),
    ("TSLA", "Tesla, Inc.", "NASDAQ", CD, "Automobiles", "Austin", "TX", "US", 2003, 125665,
     1300, 97.69, 7.13, "2020-12-21", 123.18, 403.84),
    ("HD", "The Home Depot, Inc.", "NYSE", CD, _SPR, "Atlanta", "GA", "US", 1978, 470100,
     386, 159.51, 14.81, "1988-03-31", 315.86, 388.99),
    ("MCD", "McDonald's Corporation", "NYSE", CD, _HRL, "Chicago", "IL", "US", 1955, 150000,
     208, 25.92, 8.22, "1970-06-30", 263.53, 289.89),
    ("LOW", "Lowe's Companies, Inc.", "NYSE", CD, _SPR, "Mooresville", "NC", "US", 1921, 270000,
     139, 83.67, 6.96, "1984-02-29", 199.24, 246.80),
    ("BKNG", "Booking Holdings Inc.", "NASDAQ", CD, _HRL, "Norwalk", "CT", "US", 1997, 24300,
     164, 23.74, 5.88, "2009-11-06", 2015.28, 4968.42),
    ("TJX", "The TJX Companies, Inc.", "NYSE", CD, _SPR, "Framingham", "MA", "US", 1956, 349000,
     136, 56.36, 4.86, "1985-09-30", 79.60, 120.81),
    ("NKE", "NIKE, Inc.", "NYSE", CD, "Textiles, Apparel & Luxury Goods", "Beaverton", "OR", "US", 1964,
     79400, 112, 51.36, 5.70, "1988-11-30", 117.01, 75.67),
    ("SBUX", "Starbucks Corporation", "NASDAQ", CD, _HRL, "Seattle", "WA", "US", 1971, 361000,
     104, 36.18, 3.76, "1992-06-30", 99.20, 91.25),
    ("ABNB", "Airbnb, Inc.", "NASDAQ", CD, _HRL, "San Francisco", "CA", "US", 2008, 7300,
     83, 11.10, 2.65, "2023-09-18", 85.50, 131.41),
    ("GM", "General Motors Company", "NYSE", CD, "Automobiles", "Detroit", "MI", "US", 1908, 162000,
     53, 187.44, 6.01, "2013-06-06", 33.64, 53.27),
    ("F", "Ford Motor Company", "NYSE", CD, "Automobiles", "Dearborn", "MI", "US", 1903, 171000,
     39, 184.99, 5.88, "1957-03-04", 11.63, 9.90),
    # Consumer Staples
    ("WMT", "Walmart Inc.", "NYSE", CS, _CSDR, "Bentonville", "AR", "US", 1962, 2100000,
     727, 680.99, 19.44, "1982-08-31", 47.26, 90.35),
    ("COST", "Costco Wholesale Corporation", "NASDAQ", CS, _CSDR, "Issaquah", "WA", "US", 1983, 333000,
     407, 254.45, 7.37, "1993-10-01", 456.50, 916.27),
    ("PG", "The Procter & Gamble Company", "NYSE", CS, "Household Products", "Cincinnati", "OH", "US", 1837,
     108000, 394, 84.04, 14.88, "1957-03-04", 151.56, 167.65),
    ("KO", "The Coca-Cola Company", "NYSE", CS, "Beverages", "Atlanta", "GA", "US", 1892, 69700,
     268, 47.06, 10.63, "1957-03-04", 63.61, 62.26),
    ("PEP", "PepsiCo, Inc.", "NASDAQ", CS, "Beverages", "Purchase", "NY", "US", 1965, 318000,
     209, 91.85, 9.58, "1965-06-30", 180.66, 152.06),
    ("PM", "Philip Morris International Inc.", "NYSE", CS, "Tobacco", "Stamford", "CT", "US", 1847, 83100,
     187, 37.88, 7.06, "2008-03-31", 101.21, 120.35),
    ("MDLZ", "Mondelez International, Inc.", "NASDAQ", CS, "Food Products", "Chicago", "IL", "US", 2012,
     91000, 80, 36.44, 4.61, "2012-10-02", 66.65, 59.73),
    ("CL", "Colgate-Palmolive Company", "NYSE", CS, "Household Products", "New York", "NY", "US", 1806,
     34000, 74, 20.10, 2.89, "1957-03-04", 78.79, 90.91),
    ("TGT", "Target Corporation", "NYSE", CS, _CSDR, "Minneapolis", "MN", "US", 1902, 440000,
     62, 106.57, 4.09, "1976-12-31", 149.04, 135.18),
    ("KR", "The Kroger Co.", "NYSE", CS, _CSDR, "Cincinnati", "OH", "US", 1883, 414000,
     44, 147.12, 2.67, "1957-03-04", 44.58, 61.15),
    # Health Care
    ("LLY", "Eli Lilly and Company", "NYSE", HC, _PHARMA, "Indianapolis", "IN", "US", 1876, 47000,
     733, 45.04, 10.59, "1970-12-31", 365.84, 772.00),
    ("UNH", "UnitedHealth Group Incorporated", "NYSE", HC, _HCP, "Minnetonka", "MN", "US", 1977, 400000,
     466, 400.28, 14.41, "1994-07-01", 530.18, 505.86),
    ("JNJ", "Johnson & Johnson", "NYSE", HC, _PHARMA, "New Brunswick", "NJ", "US", 1886, 138100,
     348, 88.82, 14.07, "1973-06-30", 176.65, 144.62),
    ("ABBV", "AbbVie Inc.", "NYSE", HC, _BIO, "North Chicago", "IL", "US", 2013, 55000,
     314, 56.33, 4.28, "2013-01-02", 161.61, 177.70),
    ("MRK", "Merck & Co., Inc.", "NYSE", HC, _PHARMA, "Rahway", "NJ", "US", 1891, 75000,
     252, 64.17, 17.12, "1957-03-04", 110.95, 99.48),
    ("TMO", "Thermo Fisher Scientific Inc.", "NYSE", HC, _LST, "Waltham", "MA", "US", 2006, 125000,
     199, 42.88, 6.34, "2006-11-09", 550.69, 520.23),
    ("ABT", "Abbott Laboratories", "NYSE", HC, _HCE, "Abbott Park", "IL", "US", 1888, 114000,
     196, 41.95, 13.40, "1964-03-31", 109.79, 113.11),
    ("ISRG", "Intuitive Surgical, Inc.", "NASDAQ", HC, _HCE, "Sunnyvale", "CA", "US", 1995, 15638,
     186, 8.35, 2.32, "2008-06-02", 265.35, 521.96),
    ("AMGN", "Amgen Inc.", "NASDAQ", HC, _BIO, "Thousand Oaks", "CA", "US", 1980, 28000,
     140, 33.42, 4.09, "1992-01-02", 262.64, 260.64),
    ("PFE", "Pfizer Inc.", "NYSE", HC, _PHARMA, "New York", "NY", "US", 1849, 81000,
     150, 63.63, 8.03, "1957-03-04", 51.24, 26.53),
    ("DHR", "Danaher Corporation", "NYSE", HC, _LST, "Washington", "DC", "US", 1969, 63000,
     164, 23.88, 3.90, "1998-11-18", 265.42, 229.55),
    ("VRTX", "Vertex Pharmaceuticals Incorporated", "NASDAQ", HC, _BIO, "Boston", "MA", "US", 1989, 6100,
     104, 11.02, -0.54, "2013-09-23", 288.78, 402.70),
    ("MDT", "Medtronic plc", "NYSE", HC, _HCE, "Dublin", None, "IE", 1949, 95000,
     102, 32.36, 3.68, "1986-10-31", 77.72, 79.88),
    ("BMY", "Bristol-Myers Squibb Company", "NYSE", HC, _PHARMA, "Princeton", "NJ", "US", 1887, 34100,
     115, 48.30, -8.95, "1957-03-04", 71.95, 56.56),
    ("CVS", "CVS Health Corporation", "NYSE", HC, _HCP, "Woonsocket", "RI", "US", 1963, 300000,
     57, 372.81, 4.61, "1989-01-31", 93.19, 44.89),
    ("ELV", "Elevance Health, Inc.", "NYSE", HC, _HCP, "Indianapolis", "IN", "US", 2004, 104200,
     86, 177.01, 5.98, "2004-11-30", 512.97, 368.90),
    # Financials
    ("BRK.B", "Berkshire Hathaway Inc.", "NYSE", FIN, "Financial Services", "Omaha", "NE", "US", 1839,
     392400, 1030, 371.43, 88.99, "2010-02-16", 308.90, 453.28),
    ("JPM", "JPMorgan Chase & Co.", "NYSE", FIN, "Banks", "New York", "NY", "US", 2000, 317233,
     675, 177.56, 58.47, "2000-12-31", 134.10, 239.71),
    ("V", "Visa Inc.", "NYSE", FIN, "Financial Services", "San Francisco", "CA", "US", 1958, 31600,
     616, 35.93, 19.74, "2009-12-21", 207.76, 316.04),
    ("MA", "Mastercard Incorporated", "NYSE", FIN, "Financial Services", "Purchase", "NY", "US", 1966, 35300,
     484, 28.17, 12.87, "2008-07-18", 347.73, 526.57),
    ("BAC", "Bank of America Corporation", "NYSE", FIN, "Banks", "Charlotte", "NC", "US", 1998, 213000,
     338, 101.89, 27.13, "1998-09-30", 33.12, 43.95),
    ("WFC", "Wells Fargo & Company", "NYSE", FIN, "Banks", "San Francisco", "CA", "US", 1852, 217000,
     234, 82.30, 19.72, "1976-06-30", 41.29, 70.24),
    ("GS", "The Goldman Sachs Group, Inc.", "NYSE", FIN, "Capital Markets", "New York", "NY", "US", 1869,
     46500, 180, 53.51, 14.28, "2002-07-22", 343.38, 572.62),
    ("MS", "Morgan Stanley", "NYSE", FIN, "Capital Markets", "New York", "NY", "US", 1935, 80000,
     203, 61.76, 13.39, "1993-07-29", 85.02, 125.72),
    ("AXP", "American Express Company", "NYSE", FIN, "Consumer Finance", "New York", "NY", "US", 1850, 75100,
     209, 65.95, 10.13, "1976-06-30", 147.75, 296.79),
    ("BLK", "BlackRock, Inc.", "NYSE", FIN, "Capital Markets", "New York", "NY", "US", 1988, 21100,
     159, 20.41, 6.37, "2011-04-04", 708.63, 1025.11),
    ("C", "Citigroup Inc.", "NYSE", FIN, "Banks", "New York", "NY", "US", 1998, 229000,
     133, 81.14, 12.68, "1998-10-08", 45.23, 70.39),
    ("SCHW", "The Charles Schwab Corporation", "NYSE", FIN, "Capital Markets", "Westlake", "TX", "US", 1971,
     32100, 132, 19.61, 5.94, "1997-10-07", 83.26, 74.01),
    ("PGR", "The Progressive Corporation", "NYSE", FIN, "Insurance", "Mayfield Village", "OH", "US", 1937,
     66308, 140, 75.37, 8.48, "1997-08-04", 129.71, 239.61),
    ("CB", "Chubb Limited", "NYSE", FIN, "Insurance", "Zurich", None, "CH", 1882, 43000,
     111, 56.00, 9.27, "2010-07-15", 220.60, 276.30),
    ("TRV", "The Travelers Companies, Inc.", "NYSE", FIN, "Insurance", "New York", "NY", "US", 1864, 33500,
     55, 46.42, 5.00, "2002-08-21", 187.49, 240.89),
    ("PYPL", "PayPal Holdings, Inc.", "NASDAQ", FIN, "Financial Services", "San Jose", "CA", "US", 1998,
     24400, 86, 31.80, 4.15, "2015-07-20", 71.22, 85.35),
    # Industrials
    ("GE", "GE Aerospace", "NYSE", IND, _AD, "Evendale", "OH", "US", 1892, 53000,
     181, 38.70, 6.56, "1957-03-04", 55.24, 166.79),
    ("CAT", "Caterpillar Inc.", "NYSE", IND, "Machinery", "Irving", "TX", "US", 1925, 112900,
     175, 64.81, 10.79, "1957-03-04", 239.56, 362.76),
    ("RTX", "RTX Corporation", "NYSE", IND, _AD, "Arlington", "VA", "US", 1922, 186000,
     154, 80.74, 4.77, "1957-03-04", 100.92, 115.72),
    ("HON", "Honeywell International Inc.", "NASDAQ", IND, "Industrial Conglomerates", "Charlotte", "NC",
     "US", 1906, 102000, 147, 38.50, 5.71, "1964-03-31", 214.30, 225.89),
    ("UNP", "Union Pacific Corporation", "NYSE", IND, "Ground Transportation", "Omaha", "NE", "US", 1862,
     32000, 138, 24.25, 6.75, "1957-03-04", 207.07, 228.04),
    ("BA", "The Boeing Company", "NYSE", IND, _AD, "Arlington", "VA", "US", 1916, 172000,
     133, 66.52, -11.83, "1957-03-04", 190.49, 177.00),
    ("UBER", "Uber Technologies, Inc.", "NYSE", IND, "Ground Transportation", "San Francisco", "CA", "US",
     2009, 31100, 127, 43.98, 9.86, "2023-12-18", 24.73, 60.32),
    ("LMT", "Lockheed Martin Corporation", "NYSE", IND, _AD, "Bethesda", "MD", "US", 1995, 121000,
     115, 71.04, 5.34, "1995-03-15", 486.49, 485.94),
    ("DE", "Deere & Company", "NYSE", IND, "Machinery", "Moline", "IL", "US", 1837, 75800,
     116, 51.72, 7.10, "1957-03-04", 428.76, 423.70),
    ("ADP", "Automatic Data Processing, Inc.", "NASDAQ", IND, "Professional Services", "Roseland", "NJ", "US",
     1949, 64000, 119, 19.20, 3.75, "1981-03-31", 238.86, 292.73),
    ("UPS", "United Parcel Service, Inc.", "NYSE", IND, "Air Freight & Logistics", "Atlanta", "GA", "US",
     1907, 490000, 108, 91.07, 5.78, "2002-07-22", 173.84, 126.10),
    ("MMM", "3M Company", "NYSE", IND, "Industrial Conglomerates", "Saint Paul", "MN", "US", 1902, 61500,
     70, 24.58, 4.17, "1957-03-04", 89.21, 129.09),
    ("ETN", "Eaton Corporation plc", "NYSE", IND, "Electrical Equipment", "Dublin", None, "IE", 1911, 94000,
     131, 24.88, 3.79, "1957-03-04", 156.95, 331.87),
    ("FDX", "FedEx Corporation", "NYSE", IND, "Air Freight & Logistics", "Memphis", "TN", "US", 1971, 500000,
     67, 87.69, 4.33, "1980-12-31", 173.20, 281.33),
    ("WM", "Waste Management, Inc.", "NYSE", IND, "Commercial Services & Supplies", "Houston", "TX", "US",
     1968, 61700, 81, 22.06, 2.75, "1998-08-31", 156.88, 201.79),
    ("CSX", "CSX Corporation", "NASDAQ", IND, "Ground Transportation", "Jacksonville", "FL", "US", 1980,
     23500, 62, 14.54, 3.47, "1980-11-03", 30.98, 32.27),
    # Energy
    ("XOM", "Exxon Mobil Corporation", "NYSE", EN, _OIL, "Spring", "TX", "US", 1999, 61000,
     473, 349.59, 33.68, "1999-11-30", 110.30, 107.57),
    ("CVX", "Chevron Corporation", "NYSE", EN, _OIL, "Houston", "TX", "US", 1879, 45298,
     260, 202.79, 17.66, "1957-03-04", 179.49, 144.84),
    ("COP", "ConocoPhillips", "NYSE", EN, _OIL, "Houston", "TX", "US", 2002, 11800,
     128, 56.95, 9.25, "2002-08-30", 118.00, 99.17),
    ("SLB", "SLB", "NYSE", EN, "Energy Equipment & Services", "Houston", "TX", "US", 1926, 110000,
     54, 36.29, 4.46, "1965-03-31", 53.46, 38.34),
    ("EOG", "EOG Resources, Inc.", "NYSE", EN, _OIL, "Houston", "TX", "US", 1999, 3150,
     69, 23.70, 6.40, "2000-11-02", 129.52, 122.58),
    ("MPC", "Marathon Petroleum Corporation", "NYSE", EN, _OIL, "Findlay", "OH", "US", 1887, 18300,
     44, 140.41, 3.45, "2011-07-01", 116.39, 139.50),
    ("PSX", "Phillips 66", "NYSE", EN, _OIL, "Houston", "TX", "US", 2012, 13200,
     47, 145.50, 2.12, "2012-05-01", 104.08, 113.93),
    ("KMI", "Kinder Morgan, Inc.", "NYSE", EN, _OIL, "Houston", "TX", "US", 1997, 10933,
     61, 15.10, 2.61, "2012-05-25", 18.08, 27.40),
    # Utilities
    ("NEE", "NextEra Energy, Inc.", "NYSE", UT, _ELU, "Juno Beach", "FL", "US", 1925, 16800,
     147, 24.75, 6.95, "1976-06-30", 83.60, 71.69),
    ("SO", "The Southern Company", "NYSE", UT, _ELU, "Atlanta", "GA", "US", 1945, 28600,
     90, 26.72, 4.40, "1957-03-04", 71.41, 82.32),
    ("DUK", "Duke Energy Corporation", "NYSE", UT, _ELU, "Charlotte", "NC", "US", 1904, 26413,
     83, 30.36, 4.52, "1976-06-30", 102.99, 107.74),
    ("CEG", "Constellation Energy Corporation", "NASDAQ", UT, _ELU, "Baltimore", "MD", "US", 2022, 14500,
     70, 23.57, 3.75, "2022-02-02", 86.21, 223.71),
    ("AEP", "American Electric Power Company, Inc.", "NASDAQ", UT, _ELU, "Columbus", "OH", "US", 1906,
     16330, 49, 19.72, 2.97, "1957-03-04", 94.95, 92.23),
    ("D", "Dominion Energy, Inc.", "NYSE", UT, "Multi-Utilities", "Richmond", "VA", "US", 1983, 14700,
     45, 14.46, 2.12, "1983-06-30", 61.32, 53.86),
    ("VST", "Vistra Corp.", "NYSE", UT, "Independent Power and Renewable Electricity Producers", "Irving",
     "TX", "US", 2016, 6850, 47, 17.22, 2.81, "2022-05-25", 23.20, 137.87),
    ("EXC", "Exelon Corporation", "NASDAQ", UT, _ELU, "Chicago", "IL", "US", 2000, 20014,
     38, 23.03, 2.46, "2000-10-23", 43.23, 37.64),
    # Real Estate
    ("PLD", "Prologis, Inc.", "NYSE", RE, "Industrial REITs", "San Francisco", "CA", "US", 1983, 2703,
     98, 8.20, 3.73, "2003-07-17", 112.73, 105.70),
    ("AMT", "American Tower Corporation", "NYSE", RE, _SPREIT, "Boston", "MA", "US", 1995, 4700,
     86, 10.13, 2.26, "2007-11-19", 211.86, 183.41),
    ("EQIX", "Equinix, Inc.", "NASDAQ", RE, _SPREIT, "Redwood City", "CA", "US", 1998, 13606,
     91, 8.75, 0.82, "2015-03-20", 655.03, 942.89),
    ("SPG", "Simon Property Group, Inc.", "NYSE", RE, "Retail REITs", "Indianapolis", "IN", "US", 1993, 3300,
     56, 5.96, 2.37, "2002-06-26", 117.48, 172.21),
    ("CCI", "Crown Castle Inc.", "NYSE", RE, _SPREIT, "Houston", "TX", "US", 1994, 3900,
     39, 6.57, -3.90, "2012-03-14", 135.64, 90.76),
    ("CBRE", "CBRE Group, Inc.", "NYSE", RE, "Real Estate Management & Development", "Dallas", "TX", "US",
     1906, 140000, 40, 35.77, 0.97, "2006-11-10", 76.96, 131.29),
    # Materials
    ("LIN", "Linde plc", "NASDAQ", MAT, "Chemicals", "Woking", None, "GB", 1879, 65000,
     199, 33.01, 6.57, "1992-07-01", 326.18, 418.67),
    ("SHW", "The Sherwin-Williams Company", "NYSE", MAT, "Chemicals", "Cleveland", "OH", "US", 1866, 63000,
     86, 23.10, 2.68, "1964-06-30", 237.33, 339.93),
    ("APD", "Air Products and Chemicals, Inc.", "NYSE", MAT, "Chemicals", "Allentown", "PA", "US", 1940,
     23000, 65, 12.10, 3.83, "1985-04-30", 308.26, 290.04),
    ("ECL", "Ecolab Inc.", "NYSE", MAT, "Chemicals", "Saint Paul", "MN", "US", 1923, 48000,
     66, 15.74, 2.11, "1989-01-31", 145.56, 234.32),
    ("FCX", "Freeport-McMoRan Inc.", "NYSE", MAT, "Metals & Mining", "Phoenix", "AZ", "US", 1912, 28500,
     55, 25.46, 1.89, "1995-07-27", 38.00, 38.08),
    ("NEM", "Newmont Corporation", "NYSE", MAT, "Metals & Mining", "Denver", "CO", "US", 1921, 22200,
     42, 18.68, 3.35, "1969-06-30", 47.20, 37.22),
))
# fmt: on

# The 30 components of the Dow Jones Industrial Average (after the November 2024 change) and the dates
# they joined it. JPMorgan's date is the first trading day of the merged company.
DOW_30: dict[str, str] = {
    "AAPL": "2015-03-19", "AMGN": "2020-08-31", "AMZN": "2024-02-26", "AXP": "1982-08-30",
    "BA": "1987-03-12", "CAT": "1991-05-06", "CRM": "2020-08-31", "CSCO": "2009-06-08",
    "CVX": "2008-02-19", "DIS": "1991-05-06", "GS": "2013-09-23", "HD": "1999-11-01",
    "HON": "2020-08-31", "IBM": "1979-06-29", "JNJ": "1997-03-17", "JPM": "2001-01-02",
    "KO": "1987-03-12", "MCD": "1985-10-30", "MMM": "1976-08-09", "MRK": "1979-06-29",
    "MSFT": "1999-11-01", "NKE": "2013-09-23", "NVDA": "2024-11-08", "PG": "1932-05-26",
    "SHW": "2024-11-08", "TRV": "2009-06-08", "UNH": "2012-09-24", "V": "2013-09-23",
    "VZ": "2004-04-08", "WMT": "1997-03-17",
}  # fmt: skip

NDX_START = "1985-01-31"  # first day of the Nasdaq-100

# Nasdaq-listed companies that are not in the Nasdaq-100 (REITs and exchanges are left out of it).
NDX_EXCLUDED: frozenset[str] = frozenset({"EQIX"})

# Nasdaq-100 entry dates known to be recent (listings moved to Nasdaq, spin-offs); others are derived.
NDX_ADDED: dict[str, str] = {
    "PLTR": "2024-12-23", "LIN": "2023-03-20", "CEG": "2022-02-02", "AEP": "2021-12-20",
    "EXC": "2021-12-20", "HON": "2021-06-21", "ABNB": "2022-12-19", "CRWD": "2021-12-20",
    "PANW": "2018-12-24", "MDLZ": "2012-10-02", "PYPL": "2015-07-20",
}  # fmt: skip

# How much more often retail users pick a stock than its size alone suggests.
POPULARITY: dict[str, float] = {
    "NVDA": 14.0, "TSLA": 12.0, "AAPL": 9.0, "MSFT": 6.0, "AMZN": 6.0, "PLTR": 8.0, "AMD": 6.0,
    "META": 5.0, "GOOGL": 4.5, "NFLX": 3.5, "AVGO": 2.5, "INTC": 3.0, "DIS": 2.5, "BRK.B": 2.0,
    "COST": 2.0, "UBER": 2.0, "CRWD": 2.0, "ABNB": 1.8, "SBUX": 1.5, "KO": 1.5, "F": 2.0, "BA": 1.5,
}  # fmt: skip
