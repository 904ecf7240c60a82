"""Pulling partners' feeds from where they publish them (issue 18).

A partner's feed layout in config/partners.yml may carry a `source:` (spec.py): a web page whose
newest matching link is the file, a file URL, an SFTP folder, or any folder fsspec reaches (object
storage, a mounted share). fetch.py polls each due source politely and puts each new or changed file
in the landing zone, recording where it came from; from there it is one more delivered file, checked,
quarantined and gated like a file a person dropped in.
"""
