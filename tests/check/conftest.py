from check_helpers import config, corpus, index_path

__all__ = ["config", "corpus", "index_path"]
