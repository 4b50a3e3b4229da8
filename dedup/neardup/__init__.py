"""neardup"""
