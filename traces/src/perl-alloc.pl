#!/usr/bin/perl
# perl-alloc: Perl's own allocation patterns (through glibc malloc): a
# growing array of strings, a hash of arrays, one large string grown by
# repeated appends, all dropped and built again.
use strict;
use warnings;

my $total = 0;
for my $round (1 .. 3) {
	my @a;
	push @a, "x" x (($_ * 37) % 4000) for 1 .. 40000;
	my %h;
	$h{$_ % 5000} = [ 1 .. ($_ % 300) ] for 1 .. 20000;
	my $big = "";
	$big .= "y" x 65536 for 1 .. 256;	# 16 MiB
	$total += @a + keys(%h) + length($big);
}
print "done $total\n";
