"""FAQ content, jieba dictionaries, the matcher and the Fujian gazetteer.

Imports neither bot nor complaints.
"""
