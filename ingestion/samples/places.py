"""Postcode districts used to place synthetic suppliers.

Authored facts (not copied rows): each district listed lies in the named local authority district
(checked against the ONS Postcode Directory extracts in shared/data/real/trafforddatalab_gm_postcodes,
where almost all of each district's postcodes share one LAD). Only the sample generator uses them;
the pipeline reads locations from a postcode directory.
"""

GM_DISTRICTS = {
    "E08000001": ["BL1", "BL3"],  # Bolton
    "E08000002": ["BL8", "BL9"],  # Bury
    "E08000003": ["M1", "M2", "M4", "M13", "M14", "M20"],  # Manchester
    "E08000004": ["OL1", "OL4", "OL8", "OL9"],  # Oldham
    "E08000005": ["OL11", "OL12", "OL16", "OL10"],  # Rochdale
    "E08000006": ["M5", "M6", "M7", "M50"],  # Salford
    "E08000007": ["SK1", "SK2", "SK3", "SK4", "SK5", "SK7"],  # Stockport
    "E08000008": ["OL6", "OL7", "SK14", "SK15", "SK16", "M34"],  # Tameside
    "E08000009": ["M32", "M33", "M41", "WA14"],  # Trafford
    "E08000010": ["WN1", "WN2", "WN3"],  # Wigan
}

OUTSIDE_GM_DISTRICTS = {
    "E08000035": ["LS1", "LS2"],  # Leeds
    "E08000012": ["L1", "L3"],  # Liverpool
    "E08000025": ["B1", "B2"],  # Birmingham
    "E06000007": ["WA1", "WA2"],  # Warrington
    "E06000050": ["CH1"],  # Cheshire West and Chester
    "E09000033": ["SW1A", "SW1P"],  # Westminster
    "E08000019": ["S1"],  # Sheffield
    "E08000021": ["NE1"],  # Newcastle upon Tyne
}

INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
